/**
 * One row of the SQLite `events` table as better-sqlite3 returns it
 * (`SELECT *`): the columns of migrations 001, 005, 006 and 016. Readers of whole
 * rows (the export, the copy to another engine) share it. `type`, `event`,
 * `user_key`, `status` and `intent` are generated from their stored forms
 * (migration 033), which readers leave alone.
 */
export interface EventTableRow {
  id: number;
  /** The write key's code (migration 029; storedWriteKeySql reads the key). */
  write_key: Buffer;
  /** A canonical UUID as its 16 bytes (migration 040; messageIdFromStored reads the id). */
  message_id: string | Buffer;
  type: string;
  event: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  /** The resolved user (identify/alias relabel it). */
  user_key: string;
  session_id: string | null;
  conversation_id: string | null;
  prompt_number: number | null;
  ts: number;
  /** Milliseconds from `ts` (migration 032; storedTimesSql reads the times). */
  original_ts_offset: number | null;
  sent_at_offset: number | null;
  received_at_offset: number;
  latency_ms: number | null;
  time_to_first_token_ms: number | null;
  tokens_per_second: number | null;
  response_id: string | null;
  regenerated_from: string | null;
  channel: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost: number | null;
  model: string | null;
  status: string | null;
  error_type: string | null;
  intent: string | null;
  intent_sampled: number | null;
  action_type: string | null;
  feedback_type: string | null;
  feedback_value: string | null;
  rating: number | null;
  thumbs_up: number | null;
  /** Traffic flags (traffic-flags.ts): 1 debug, 2 bot, 4 internal. */
  debug: number;
  properties: string;
  /** Empty when `context_id` names the dictionary row holding it (stored-context.ts). */
  context: string;
  traits: string | null;
  extra: string | null;
  /** The `contexts` row of the event's context (migration 017); NULL for rows stored before, which hold it in `context`. */
  context_id: number | null;
  /** The status's vocabulary code or text, NULL when the collector defaulted it (migration 033; `status` reads it). */
  status_code: number | string | null;
  /** Properties kept in columns of their own since migration 033 (lean-event-json.ts). */
  prompt_length: number | null;
  response_length: number | null;
  input_method: string | null;
}
