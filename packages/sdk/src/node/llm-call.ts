import type { Chatmeter } from '../client.js';
import { uuid } from '../ids.js';
import type { TrackResponseInput } from '../types.js';
import { classifyLlmError, type LlmCallFailure } from './llm-call-error.js';
import type { LlmCallOptions } from './llm-call-options.js';
import { costOf, mergePrices } from './price-table.js';

/** What a finished call reports; every field is optional because providers omit them. */
export interface LlmCallResult {
  model?: string | undefined;
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  responseId?: string | undefined;
}

/**
 * One LLM call being measured, from request to last token. Records exactly
 * one `ai_llm_response_received` (the first of `succeed` / `fail` wins), and
 * never throws: tracking must not break the call it measures.
 */
export interface LlmCall {
  /** Marks the first content token (streams); later calls are ignored. */
  firstToken(): void;
  succeed(result: LlmCallResult): void;
  fail(error: unknown, partial?: LlmCallResult): void;
  /** A failure the provider reported in its answer rather than by throwing (e.g. a Responses API `failed` status). */
  failWith(failure: LlmCallFailure, partial?: LlmCallResult): void;
}

/**
 * Starts measuring a call for `requestedModel` (the model asked for; the
 * provider's answer may name a dated snapshot, which then wins).
 * Texts are never sent: neither the prompt nor the answer reaches the event.
 */
export function startLlmCall(chatmeter: Chatmeter, options: LlmCallOptions, requestedModel: string | undefined, now: () => number = performance.now.bind(performance)): LlmCall {
  const startedAt = now();
  let firstTokenAt: number | undefined;
  let recorded = false;

  const record = (result: LlmCallResult, outcome: Pick<TrackResponseInput, 'status' | 'errorType'>): void => {
    if (recorded) return;
    recorded = true;
    try {
      const endedAt = now();
      const model = result.model ?? requestedModel;
      const tokens = { prompt: result.promptTokens, completion: result.completionTokens };
      const known = tokens.prompt !== undefined || tokens.completion !== undefined;
      const input: TrackResponseInput = {
        ...outcome,
        conversationId: options.conversationId ?? uuid(),
        latencyMs: Math.round(endedAt - startedAt),
      };
      if (options.promptNumber !== undefined) input.promptNumber = options.promptNumber;
      if (model !== undefined) input.model = model;
      if (known) input.tokens = withoutUndefined(tokens);
      const cost = costOf(mergePrices(options.prices), model, withoutUndefined(tokens));
      if (cost !== undefined) input.cost = cost;
      if (result.responseId !== undefined) input.responseId = result.responseId;
      if (firstTokenAt !== undefined) {
        input.timeToFirstTokenMs = Math.round(firstTokenAt - startedAt);
        const streamingSeconds = (endedAt - firstTokenAt) / 1000;
        // Tokens per second of streaming: first token → last token, so only with a count and a measurable span.
        if (tokens.completion !== undefined && streamingSeconds > 0) input.tokensPerSecond = round2(tokens.completion / streamingSeconds);
      }
      // The user travels with the event: no identify, so concurrent requests of different users never mix.
      if (options.userId !== undefined) input.userId = options.userId;
      chatmeter.trackResponse(input);
    } catch (error) {
      console.warn('chatmeter: could not record the LLM call', error);
    }
  };

  return {
    firstToken() {
      firstTokenAt ??= now();
    },
    succeed(result) {
      record(result, { status: 'success' });
    },
    fail(error, partial = {}) {
      record(partial, classifyLlmError(error));
    },
    failWith(failure, partial = {}) {
      record(partial, failure);
    },
  };
}

function withoutUndefined(tokens: { prompt: number | undefined; completion: number | undefined }): { prompt?: number; completion?: number } {
  const defined: { prompt?: number; completion?: number } = {};
  if (tokens.prompt !== undefined) defined.prompt = tokens.prompt;
  if (tokens.completion !== undefined) defined.completion = tokens.completion;
  return defined;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
