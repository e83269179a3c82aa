import { AI_EVENT, type ResponseStatus } from '../protocol/index.js';
import {
  CLIENT_TIMEOUT_MS,
  COMPLETION_TOKENS_MEDIAN,
  DEMO_MODELS,
  ERROR_TYPES,
  INTENT_FLOWS,
  OPENING_INTENT_SHARES,
  PROMPT_LENGTH_MEDIAN,
  SAME_INTENT_CHANCE,
  type DemoIntent,
  type DemoModelName,
} from './demo-catalog.js';
import type { MessageWriter } from './message-writer.js';
import type { Random } from './random.js';

/** Share of sessions with a single prompt (ask, get the answer, leave). */
const SINGLE_PROMPT_SHARE = 0.3;
const MAX_PROMPTS_PER_SESSION = 15;
/** Chance that the next prompt of a session starts a new conversation (the "new chat" button). */
const NEW_CONVERSATION_CHANCE = 0.12;
/** System prompt and retrieved context sent before the first user message. */
const SYSTEM_PROMPT_TOKENS = 180;
const MAX_CONTEXT_TOKENS = 16_000;

const MODEL_SHARES = Object.fromEntries(
  Object.entries(DEMO_MODELS).map(([name, model]) => [name, model.share]),
) as Record<DemoModelName, number>;

interface Conversation {
  id: string;
  model: DemoModelName;
  promptNumber: number;
  intent: DemoIntent | undefined;
  /** Tokens of the history sent with the next prompt. */
  contextTokens: number;
}

export interface SessionScope {
  random: Random;
  writer: MessageWriter;
  /** Creates the id of the next conversation of this user. */
  nextConversationId: () => string;
}

/**
 * Simulates one visit: 1–15 prompts in one or more conversations, each
 * answered by a model, some followed by a copy, a rating or a retry.
 * Returns the time of the session's last event.
 */
export function simulateSession(scope: SessionScope, startMs: number): number {
  const { random } = scope;
  const prompts = random.chance(SINGLE_PROMPT_SHARE)
    ? 1
    : Math.min(MAX_PROMPTS_PER_SESSION, 2 + geometric(random, 0.22));
  let conversation = openConversation(scope);
  let at = startMs;
  for (let turn = 0; turn < prompts; turn += 1) {
    if (turn > 0) {
      // Reading the answer and typing the next question.
      at += Math.round(Math.min(240_000, random.logNormal(20_000, 0.7)));
      if (random.chance(NEW_CONVERSATION_CHANCE)) conversation = openConversation(scope);
    }
    at = simulateTurn(scope, conversation, at);
  }
  return at;
}

function openConversation(scope: SessionScope): Conversation {
  const model = scope.random.weighted(MODEL_SHARES);
  return { id: scope.nextConversationId(), model, promptNumber: 0, intent: undefined, contextTokens: SYSTEM_PROMPT_TOKENS };
}

/** One prompt, its answer (and a retry when the user asks for one) and the user's reactions. */
function simulateTurn(scope: SessionScope, conversation: Conversation, startMs: number): number {
  const { random, writer } = scope;
  conversation.promptNumber += 1;
  const intent = nextIntent(random, conversation.intent);
  conversation.intent = intent;
  const inputMethod =
    conversation.promptNumber === 1 && random.chance(0.15) ? 'button' : random.chance(0.05) ? 'voice' : 'text';
  // Suggested-prompt buttons carry short fixed texts.
  const promptLength =
    inputMethod === 'button' ? random.int(15, 40) : clamp(Math.round(random.logNormal(PROMPT_LENGTH_MEDIAN[intent], 0.6)), 2, 4000);
  const turn = { conversation_id: conversation.id, prompt_number: conversation.promptNumber, classified_intent: intent };
  writer.track(AI_EVENT.promptCreated, startMs, { ...turn, input_method: inputMethod, prompt_length: promptLength });

  const promptTokens = Math.min(MAX_CONTEXT_TOKENS, conversation.contextTokens + Math.ceil(promptLength / 4));
  let at = startMs;
  let previousResponseId: string | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const response = respond(random, conversation.model, intent, promptTokens);
    // As the SDK does: one id per answer, and a regenerated answer names the one it replaces.
    const responseId = `${conversation.id}-${conversation.promptNumber}-${attempt}`;
    const ids = { response_id: responseId, ...(previousResponseId === undefined ? {} : { regenerated_from: previousResponseId }) };
    at += response.latencyMs;
    writer.track(AI_EVENT.responseReceived, at, { ...turn, ...ids, ...response.properties });
    if (response.status === 'success') conversation.contextTokens = promptTokens + response.completionTokens;
    // A failed answer is retried often; a good one rarely.
    const retry = attempt === 1 && random.chance(response.status === 'success' ? 0.03 : 0.4);
    const rated = { ...turn, response_id: responseId };
    if (response.status === 'success') at = react(scope, rated, at, response.latencyMs, conversation.model);
    if (!retry) return at;
    previousResponseId = responseId;
    at += Math.round(random.logNormal(3_000, 0.5));
    writer.track(AI_EVENT.userAction, at, { ...rated, action_type: 'regenerated' });
  }
}

function nextIntent(random: Random, previous: DemoIntent | undefined): DemoIntent {
  if (previous === undefined) return random.weighted(OPENING_INTENT_SHARES);
  if (random.chance(SAME_INTENT_CHANCE)) return previous;
  return random.weighted(INTENT_FLOWS[previous] as Record<DemoIntent, number>);
}

interface Response {
  status: ResponseStatus;
  latencyMs: number;
  completionTokens: number;
  properties: Record<string, unknown>;
}

function respond(random: Random, modelName: DemoModelName, intent: DemoIntent, promptTokens: number): Response {
  const model = DEMO_MODELS[modelName];
  const draw = random.next();
  if (draw < model.errorRate) {
    // Rejected before generating: nothing billed, answered fast.
    const latencyMs = Math.round(random.logNormal(350, 0.6));
    return {
      status: 'error',
      latencyMs,
      completionTokens: 0,
      properties: {
        response_status: 'error', error_type: random.weighted(ERROR_TYPES), latency_ms: latencyMs,
        model_used: modelName, response_length: 0, cost: 0,
      },
    };
  }
  const completionTokens = clamp(Math.round(random.logNormal(COMPLETION_TOKENS_MEDIAN[intent] * model.verbosity, 0.5)), 5, 2000);
  const firstTokenMs = random.logNormal(model.firstTokenMs, model.sigma);
  const streamMs = (completionTokens / model.tokensPerSecond) * 1000 * random.logNormal(1, 0.15);
  // Provider hiccups (queueing, cold replicas) make the long tail.
  const hiccup = random.chance(0.03) ? 2 + random.next() * 4 : 1;
  const latencyMs = Math.round((firstTokenMs + streamMs) * hiccup);
  // What a streaming widget measures: the first chunk, and the pace of the rest.
  const timeToFirstTokenMs = Math.round(firstTokenMs * hiccup);
  const tokensPerSecond = Math.round((completionTokens / Math.max(1, latencyMs - timeToFirstTokenMs)) * 10_000) / 10;
  if (draw < model.errorRate + model.timeoutRate || latencyMs >= CLIENT_TIMEOUT_MS) {
    // The provider saw the prompt, so its tokens are billed; no answer arrived.
    return {
      status: 'timeout',
      latencyMs: CLIENT_TIMEOUT_MS + random.int(0, 250),
      completionTokens: 0,
      properties: {
        response_status: 'timeout', error_type: 'timeout', latency_ms: CLIENT_TIMEOUT_MS,
        token_count: { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens },
        cost: price(promptTokens * model.inputPrice), model_used: modelName, response_length: 0,
      },
    };
  }
  return {
    status: 'success',
    latencyMs,
    completionTokens,
    properties: {
      response_status: 'success',
      latency_ms: latencyMs,
      time_to_first_token_ms: timeToFirstTokenMs,
      tokens_per_second: tokensPerSecond,
      token_count: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      cost: price(promptTokens * model.inputPrice + completionTokens * model.outputPrice),
      model_used: modelName,
      response_length: Math.round(completionTokens * random.logNormal(4, 0.1)),
    },
  };
}

/** What the user does with a good answer: mostly nothing; sometimes copy, rate or share it. */
function react(
  scope: SessionScope,
  turn: Record<string, unknown>,
  answeredAt: number,
  latencyMs: number,
  model: DemoModelName,
): number {
  const { random, writer } = scope;
  let at = answeredAt;
  const act = (actionType: string, details?: Record<string, unknown>): void => {
    at += Math.round(random.logNormal(6_000, 0.6));
    writer.track(AI_EVENT.userAction, at, { ...turn, action_type: actionType, ...(details === undefined ? {} : { action_details: details }) });
  };
  if (random.chance(0.1)) act('copied_response');
  if (random.chance(0.09)) {
    // Slow answers and the self-hosted model are liked a little less.
    const penalty = (latencyMs > 6_000 ? 0.15 : 0) + (model === 'llama-3.1-70b' ? 0.05 : 0);
    if (random.chance(0.75)) {
      act('feedback_given', { feedback_type: 'thumbs', feedback_value: random.chance(0.82 - penalty) ? 'up' : 'down' });
    } else {
      const rating = Number(random.weighted({ '5': 40, '4': 30, '3': 15, '2': 8, '1': 7 }));
      act('feedback_given', { feedback_type: 'rating', feedback_value: random.chance(penalty * 2) ? Math.max(1, rating - 1) : rating });
    }
  }
  if (random.chance(0.015)) act('shared');
  return at;
}

/** USD from a sum of tokens × price per million tokens, rounded to 1e-8 so totals carry no float noise. */
function price(tokensTimesPricePerMillion: number): number {
  return Math.round(tokensTimesPricePerMillion * 100) / 1e8;
}

/** Failures before the first success: 0, 1, 2… with mean (1 − p) / p. */
function geometric(random: Random, p: number): number {
  return Math.floor(Math.log(1 - random.next()) / Math.log(1 - p));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
