import type { LlmCall, LlmCallResult } from './llm-call.js';

/**
 * What the openai package returns, read by shape (duck-typed, so the package
 * is not a dependency): chat completions (`usage.prompt_tokens`) and the
 * Responses API (`usage.input_tokens`), whole or as stream events.
 */

type Json = Record<string, unknown>;

/** Model, id and token counts of a whole chat completion or response object. */
export function readResult(value: unknown): LlmCallResult {
  const result: LlmCallResult = {};
  if (!isObject(value)) return result;
  if (typeof value['model'] === 'string') result.model = value['model'];
  if (typeof value['id'] === 'string') result.responseId = value['id'];
  const usage = value['usage'];
  if (isObject(usage)) {
    result.promptTokens = count(usage['prompt_tokens'] ?? usage['input_tokens']);
    result.completionTokens = count(usage['completion_tokens'] ?? usage['output_tokens']);
  }
  return result;
}

/** A Responses API object that reports its own failure (`status: 'failed'`), as an error type; else undefined. */
export function reportedFailure(value: unknown): string | undefined {
  if (!isObject(value) || value['status'] !== 'failed') return undefined;
  const error = value['error'];
  return isObject(error) && typeof error['code'] === 'string' ? error['code'] : 'response_failed';
}

/**
 * Folds one streamed item into `seen`: a chat chunk (`choices[].delta`,
 * `usage` on the last chunk when `stream_options.include_usage` is set) or a
 * Responses API event (`response.*.delta`, `response.completed`…).
 * Marks the first content token on `call`. Returns a reported failure, if any.
 */
export function observeStreamItem(item: unknown, seen: LlmCallResult, call: LlmCall): string | undefined {
  if (!isObject(item)) return undefined;
  if (Array.isArray(item['choices'])) {
    mergeDefined(seen, readResult(item));
    if (item['choices'].some(carriesContent)) call.firstToken();
    return undefined;
  }
  const type = item['type'];
  if (typeof type !== 'string') return undefined;
  // Any `*.delta` event is content as it streams: text, refusal, tool arguments, reasoning, audio.
  if (type.endsWith('.delta')) call.firstToken();
  if (isObject(item['response'])) {
    mergeDefined(seen, readResult(item['response']));
    return reportedFailure(item['response']);
  }
  return undefined;
}

function carriesContent(choice: unknown): boolean {
  if (!isObject(choice) || !isObject(choice['delta'])) return false;
  const { content, refusal, tool_calls: toolCalls } = choice['delta'];
  return (typeof content === 'string' && content !== '') || (typeof refusal === 'string' && refusal !== '') || (Array.isArray(toolCalls) && toolCalls.length > 0);
}

function mergeDefined(into: LlmCallResult, from: LlmCallResult): void {
  for (const [key, value] of Object.entries(from) as Array<[keyof LlmCallResult, string & number]>) {
    if (value !== undefined) into[key] = value;
  }
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}
