/**
 * @chatmeter/sdk/ai-sdk: a language-model middleware for the Vercel AI SDK
 * that records every `generateText` / `streamText` model call as
 * `ai_llm_response_received` (model, tokens, cost, latency, time to first
 * token, status, error type). Node only; never part of the browser bundle.
 * Texts are never sent.
 *
 *   import { generateText, wrapLanguageModel } from 'ai';
 *   import { chatmeterMiddleware } from '@chatmeter/sdk/ai-sdk';
 *
 *   // per request:
 *   const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: chatmeterMiddleware(chatmeter, { userId: user.id, conversationId }) });
 *   const { text } = await generateText({ model, prompt });
 *
 * Each attempt is one call: with the AI SDK's retries (`maxRetries`) a
 * failed attempt is recorded as an error and the retry as a call of its own.
 */
import type { Chatmeter } from '../client.js';
import { startLlmCall, type LlmCall, type LlmCallResult } from './llm-call.js';
import type { LlmCallOptions } from './llm-call-options.js';

export type { LlmCallOptions as ChatmeterMiddlewareOptions } from './llm-call-options.js';
export type { ModelPrice, PriceTable } from './price-table.js';
export { DEFAULT_PRICES } from './price-table.js';

/*
 * The shapes of the AI SDK's language model specification (v3, ai 6) that
 * the middleware reads, declared here so that `ai` stays a dev dependency.
 */
interface ModelLike {
  readonly modelId: string;
}
interface UsageLike {
  inputTokens?: { total?: number | undefined } | number | undefined;
  outputTokens?: { total?: number | undefined } | number | undefined;
}
interface GenerateResultLike {
  usage?: UsageLike;
  finishReason?: unknown;
  response?: { id?: string | undefined; modelId?: string | undefined } | undefined;
}
interface StreamResultLike {
  stream: ReadableStream<unknown>;
}

/** The middleware object `wrapLanguageModel({ model, middleware })` takes. */
export interface ChatmeterMiddleware {
  readonly specificationVersion: 'v3';
  wrapGenerate<Result extends GenerateResultLike>(options: { doGenerate: () => PromiseLike<Result>; model: ModelLike }): Promise<Result>;
  wrapStream<Result extends StreamResultLike>(options: { doStream: () => PromiseLike<Result>; model: ModelLike }): Promise<Result>;
}

/**
 * Measures each model call. Errors are recorded (`error`, or `timeout` for
 * timeouts and aborts) and rethrown unchanged; a stream's `error` part is
 * recorded the same way and passed on.
 */
export function chatmeterMiddleware(chatmeter: Chatmeter, options: LlmCallOptions = {}): ChatmeterMiddleware {
  return {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate, model }) {
      const call = startLlmCall(chatmeter, options, model.modelId);
      try {
        const result = await doGenerate();
        call.succeed(readGenerateResult(result));
        return result;
      } catch (error) {
        call.fail(error);
        throw error;
      }
    },
    async wrapStream({ doStream, model }) {
      const call = startLlmCall(chatmeter, options, model.modelId);
      let result;
      try {
        result = await doStream();
      } catch (error) {
        call.fail(error);
        throw error;
      }
      return { ...result, stream: measuredStream(result.stream, call) };
    },
  };
}

function readGenerateResult(result: GenerateResultLike): LlmCallResult {
  return { ...readUsage(result.usage), model: result.response?.modelId, responseId: result.response?.id };
}

/** ai 6 reports `{ total }` objects per token kind; earlier specifications plain numbers. */
function readUsage(usage: UsageLike | undefined): LlmCallResult {
  const total = (tokens: UsageLike['inputTokens']) => (typeof tokens === 'number' ? tokens : tokens?.total);
  return { promptTokens: total(usage?.inputTokens), completionTokens: total(usage?.outputTokens) };
}

/** Stream parts that carry generated content: the first of them is the first token. */
const CONTENT_PARTS = new Set(['text-delta', 'reasoning-delta', 'tool-input-delta', 'tool-call', 'file']);

/** Passes every part through unchanged, measuring as they go; ends the call at the end, on an error part or when the reader cancels. */
function measuredStream(source: ReadableStream<unknown>, call: LlmCall): ReadableStream<unknown> {
  const reader = source.getReader();
  const seen: LlmCallResult = {};
  return new ReadableStream<unknown>({
    async pull(controller) {
      let step: ReadableStreamReadResult<unknown>;
      try {
        step = await reader.read();
      } catch (error) {
        call.fail(error, seen);
        controller.error(error);
        return;
      }
      if (step.done) {
        call.succeed(seen);
        controller.close();
        return;
      }
      observePart(step.value, seen, call);
      controller.enqueue(step.value);
    },
    async cancel(reason) {
      call.succeed(seen);
      await reader.cancel(reason);
    },
  });
}

function observePart(part: unknown, seen: LlmCallResult, call: LlmCall): void {
  if (typeof part !== 'object' || part === null) return;
  const { type } = part as { type?: unknown };
  if (typeof type !== 'string') return;
  if (CONTENT_PARTS.has(type)) call.firstToken();
  if (type === 'response-metadata') {
    const { id, modelId } = part as { id?: unknown; modelId?: unknown };
    if (typeof id === 'string') seen.responseId = id;
    if (typeof modelId === 'string') seen.model = modelId;
  } else if (type === 'finish') {
    Object.assign(seen, withoutUndefined(readUsage((part as { usage?: UsageLike }).usage)));
  } else if (type === 'error') {
    call.fail((part as { error?: unknown }).error, seen);
  }
}

function withoutUndefined(result: LlmCallResult): LlmCallResult {
  return Object.fromEntries(Object.entries(result).filter(([, value]) => value !== undefined));
}
