import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClassificationCost, IntentClassification, IntentClassifier } from './classifier.js';
import { OTHER_INTENT, type TaxonomyIntent } from './taxonomy.js';

/** What the classifier needs from a taxonomy (a full `Taxonomy` fits). */
export interface LlmTaxonomy {
  intents: readonly Pick<TaxonomyIntent, 'name' | 'description' | 'examples'>[];
}

/** Prices per million tokens, for providers whose responses carry no `usage.cost`. */
export interface LlmPricing {
  promptPerMillion: number;
  completionPerMillion: number;
}

export interface LlmClassifierOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `https://openrouter.ai/api/v1`. */
  url: string;
  model: string;
  apiKey?: string;
  taxonomy: LlmTaxonomy;
  /** Per attempt; a classification is worth less than a slow queue. */
  timeoutMs?: number;
  /** Extra attempts after a network error, timeout, 429 or 5xx. */
  retries?: number;
  fetch?: typeof globalThis.fetch;
  /** Distinct prompt texts remembered; repeated prompts ("hi", "thanks") are common and free to answer. */
  cacheSize?: number;
  pricing?: LlmPricing;
}

/**
 * The LLM endpoint could not classify a prompt. The message says what to
 * check and never contains the prompt text (it carries personal data).
 */
export class LlmClassifierError extends Error {
  override readonly name = 'LlmClassifierError';
  /** The HTTP status of the last attempt, when there was a response. */
  readonly status?: number;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
  }
}

/** Retry-After can ask for minutes; a queue worker should rather fail this batch and come back later. */
const MAX_RETRY_AFTER_MS = 2000;
/** Pause before retrying a network error, timeout or 5xx: long enough to skip a blip. */
const RETRY_DELAY_MS = 200;
/** Enough for the longest intent name; bounds the cost of a model that starts to chat. */
const MAX_ANSWER_TOKENS = 32;
/** Examples per intent in the system prompt: enough to disambiguate, few enough to keep it cheap. */
const EXAMPLES_PER_INTENT = 2;

/**
 * Classifies prompts with any OpenAI-compatible chat completions endpoint
 * (OpenAI, OpenRouter, Ollama, vLLM…), at temperature 0 with the taxonomy as
 * the system prompt. Answers are mapped to a taxonomy intent or `other`.
 *
 * @example
 * const classifier = createLlmClassifier({
 *   url: 'https://openrouter.ai/api/v1',
 *   model: 'openai/gpt-4o-mini',
 *   apiKey: process.env.OPENROUTER_API_KEY,
 *   taxonomy: loadTaxonomy(),
 * });
 * await classifier.classify('where is my order?'); // { intent: 'order_status', usage: {...} }
 */
export function createLlmClassifier({
  url,
  model,
  apiKey,
  taxonomy,
  timeoutMs = 3000,
  retries = 1,
  fetch = globalThis.fetch,
  cacheSize = 10_000,
  pricing,
}: LlmClassifierOptions): IntentClassifier {
  const endpoint = `${url.replace(/\/+$/, '')}/chat/completions`;
  const intentNames = taxonomy.intents.map((intent) => intent.name);
  const systemPrompt = buildSystemPrompt(taxonomy);
  const cache = new Map<string, string>();

  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey !== undefined && apiKey !== '') headers.authorization = `Bearer ${apiKey}`;

  async function requestCompletion(text: string): Promise<unknown> {
    const body = JSON.stringify({
      model,
      temperature: 0,
      max_tokens: MAX_ANSWER_TOKENS,
      messages: [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: text },
      ],
    });
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < retries;
      let response: Response;
      try {
        const signal = AbortSignal.timeout(timeoutMs);
        response = await fetch(endpoint, { method: 'POST', headers, body, signal });
        if (response.ok) return await response.json();
      } catch (error) {
        if (error instanceof SyntaxError) {
          throw new LlmClassifierError(
            `LLM classifier: ${endpoint} answered with a body that is not JSON; check that the URL is an OpenAI-compatible API base (e.g. https://openrouter.ai/api/v1)`,
            { cause: error },
          );
        }
        if (canRetry) {
          await sleep(RETRY_DELAY_MS);
          continue;
        }
        throw transportError(endpoint, timeoutMs, attempt + 1, error);
      }
      // Free the connection: the error body is not used (it may echo the prompt).
      await response.body?.cancel().catch(() => undefined);
      const retryable = response.status === 429 || response.status >= 500;
      if (retryable && canRetry) {
        await sleep(response.status === 429 ? retryAfterMs(response.headers.get('retry-after')) : RETRY_DELAY_MS);
        continue;
      }
      throw statusError(endpoint, model, response.status, attempt + 1);
    }
  }

  return {
    name: 'llm',
    async classify(text: string): Promise<IntentClassification> {
      const key = createHash('sha256').update(text).digest('hex');
      const cachedIntent = cache.get(key);
      if (cachedIntent !== undefined) {
        // Re-insert so the Map's insertion order tracks recency (LRU eviction below).
        cache.delete(key);
        cache.set(key, cachedIntent);
        return { intent: cachedIntent, cached: true };
      }

      const completion = await requestCompletion(text);
      const answer = answerOf(completion);
      if (answer === undefined) {
        throw new LlmClassifierError(
          `LLM classifier: ${endpoint} answered without choices[0].message.content; check that it is an OpenAI-compatible chat completions API and that model "${model}" is a chat model`,
        );
      }
      const intent = normaliseIntent(answer, intentNames);

      if (cacheSize > 0) {
        if (cache.size >= cacheSize) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
        cache.set(key, intent);
      }

      const usage = usageOf(completion, pricing);
      return usage === undefined ? { intent } : { intent, usage };
    },
  };
}

function buildSystemPrompt(taxonomy: LlmTaxonomy): string {
  const intentLines = taxonomy.intents.map((intent) => {
    const examples = intent.examples
      .slice(0, EXAMPLES_PER_INTENT)
      .map((example) => JSON.stringify(example))
      .join('; ');
    return `- ${intent.name}: ${intent.description}${examples === '' ? '' : ` Examples: ${examples}`}`;
  });
  return [
    'You classify one message a user sent to an AI assistant into exactly one intent from this list:',
    ...intentLines,
    '',
    `Answer with exactly one intent name from the list, written as in the list, and nothing else. If no intent fits, answer ${OTHER_INTENT}.`,
  ].join('\n');
}

/**
 * Maps a model's answer to a known intent name: tolerates case, quotes,
 * punctuation, code fences, `{"intent": …}` JSON and a name embedded in a
 * sentence; anything else is `other`.
 */
export function normaliseIntent(answer: string, intentNames: readonly string[]): string {
  let candidate = answer.replace(/```[a-z]*/gi, '').trim();
  candidate = intentFromJson(candidate) ?? candidate;
  const answerWords = wordsOf(candidate);

  // A chatty answer ("The intent is: Order Status."): take the earliest name it
  // mentions; on a tie ("support" in "support returns") the longer name wins.
  let best: { index: number; length: number; name: string } | undefined;
  for (const name of intentNames) {
    const nameWords = wordsOf(name);
    if (nameWords === '') continue;
    if (nameWords === answerWords) return name;
    const index = ` ${answerWords} `.indexOf(` ${nameWords} `);
    if (index === -1) continue;
    if (best === undefined || index < best.index || (index === best.index && nameWords.length > best.length)) {
      best = { index, length: nameWords.length, name };
    }
  }
  return best?.name ?? OTHER_INTENT;
}

/** Lowercase words separated by single spaces, so `Order-Status`, `order_status` and `"order status".` compare equal. */
function wordsOf(text: string): string {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '')
    .join(' ');
}

function intentFromJson(candidate: string): string | undefined {
  if (!candidate.startsWith('{') && !candidate.startsWith('"')) return undefined;
  try {
    const parsed: unknown = JSON.parse(candidate);
    if (typeof parsed === 'string') return parsed;
    if (isRecord(parsed) && typeof parsed.intent === 'string') return parsed.intent;
  } catch {
    // Not JSON after all: fall back to reading it as text.
  }
  return undefined;
}

function answerOf(completion: unknown): string | undefined {
  if (!isRecord(completion) || !Array.isArray(completion.choices)) return undefined;
  const choice: unknown = completion.choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) return undefined;
  const content = choice.message.content;
  return typeof content === 'string' ? content : undefined;
}

function usageOf(completion: unknown, pricing: LlmPricing | undefined): ClassificationCost | undefined {
  if (!isRecord(completion) || !isRecord(completion.usage)) return undefined;
  const { usage } = completion;
  const promptTokens = numberOr(usage.prompt_tokens, 0);
  const completionTokens = numberOr(usage.completion_tokens, 0);
  const totalTokens = numberOr(usage.total_tokens, promptTokens + completionTokens);
  // OpenRouter reports the billed cost itself; otherwise estimate from the configured prices.
  const cost =
    typeof usage.cost === 'number' && Number.isFinite(usage.cost)
      ? usage.cost
      : pricing === undefined
        ? 0
        : (promptTokens * pricing.promptPerMillion + completionTokens * pricing.completionPerMillion) / 1_000_000;
  return { promptTokens, completionTokens, totalTokens, cost };
}

/** Retry-After in seconds (or an HTTP date), capped; a missing or odd value means the default pause. */
function retryAfterMs(header: string | null): number {
  if (header === null) return RETRY_DELAY_MS;
  const seconds = Number(header);
  const delayMs = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (Number.isNaN(delayMs)) return RETRY_DELAY_MS;
  return Math.min(Math.max(delayMs, 0), MAX_RETRY_AFTER_MS);
}

function transportError(endpoint: string, timeoutMs: number, attempts: number, cause: unknown): LlmClassifierError {
  const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
  const problem = timedOut
    ? `did not answer within ${timeoutMs} ms; raise the timeout or choose a faster model`
    : 'could not be reached; check the URL and the network';
  return new LlmClassifierError(`LLM classifier: ${endpoint} ${problem} (${attempts} attempt${attempts === 1 ? '' : 's'})`, {
    cause,
  });
}

function statusError(endpoint: string, model: string, status: number, attempts: number): LlmClassifierError {
  const advice =
    status === 401 || status === 403
      ? 'check the API key'
      : status === 404
        ? `check the URL (the base, without /chat/completions) and that model "${model}" exists`
        : status === 429
          ? 'the provider is rate limiting; lower the sampling rate or raise the account limits'
          : status >= 500
            ? 'the provider is failing; prompts stay queued and are retried later'
            : `check that model "${model}" exists and that the endpoint is OpenAI-compatible`;
  return new LlmClassifierError(
    `LLM classifier: ${endpoint} answered HTTP ${status} (${attempts} attempt${attempts === 1 ? '' : 's'}); ${advice}`,
    { status },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
