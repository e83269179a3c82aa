import { AI_EVENT } from '../../protocol/index.js';

/** A UTC quarter-hour, as in the migrations: `ts / 900000` in SQLite's integer division. */
const QUARTER_MS = 900_000;

/**
 * The columns of a prompt or response that the batch folds read, as one raw
 * row of batch-fold.ts's SELECT (an array: better-sqlite3 builds no object per row).
 */
export type FoldEvent = [
  event: string,
  ts: number,
  debug: number,
  userKey: string,
  sessionId: string | null,
  conversationId: string | null,
  model: string | null,
  intent: string | null,
  cost: number | null,
  promptTokens: number | null,
  completionTokens: number | null,
  totalTokens: number | null,
  latencyMs: number | null,
  timeToFirstTokenMs: number | null,
  tokensPerSecond: number | null,
  id: number,
];

/** The SELECT list giving a FoldEvent, column for column. */
export const FOLD_EVENT_COLUMNS =
  'event, ts, debug, user_key, session_id, conversation_id, model, intent, cost, prompt_tokens, completion_tokens, total_tokens, latency_ms, time_to_first_token_ms, tokens_per_second, id';

/** Index in FoldEvent of each value list's column (migration 010's BINARY_VALUE_LISTS). */
export const VALUE_COLUMN_INDEX: Readonly<Record<string, number>> = {
  latency_ms: 12,
  time_to_first_token_ms: 13,
  tokens_per_second: 14,
};

export const PROMPT_EVENT = AI_EVENT.promptCreated;
export const RESPONSE_EVENT = AI_EVENT.responseReceived;

/** The UTC quarter-hour of `ts`, truncated toward zero as SQLite's integer division is. */
export function quarterOf(ts: number): number {
  return Math.trunc(ts / QUARTER_MS);
}
