/** Which events an export covers: those the collector received in [fromMs, toMs). */
export interface ExportRange {
  fromMs: number;
  toMs: number;
}

/**
 * One stored event as `GET /v1/export` writes it (one NDJSON line): the
 * stored columns under their wire names, times as ISO strings, JSON columns
 * as the JSON they hold. Prompt texts are never stored with events, so they
 * are never exported; write keys are credentials and are left out.
 */
export interface ExportedEvent {
  event_id: string;
  message_id: string;
  type: string;
  event: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  /** The resolved user: userId, else the userId linked to anonymous_id, else anonymous_id. */
  user_key: string;
  session_id: string | null;
  conversation_id: string | null;
  prompt_number: number | null;
  /** Skew-corrected event time. */
  timestamp: string;
  original_timestamp: string | null;
  sent_at: string | null;
  received_at: string;
  latency_ms: number | null;
  time_to_first_token_ms: number | null;
  tokens_per_second: number | null;
  response_id: string | null;
  regenerated_from: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost: number | null;
  model: string | null;
  status: string | null;
  error_type: string | null;
  intent: string | null;
  /** true: classified, false: skipped by sampling, null: queued or without text. */
  intent_sampled: boolean | null;
  action_type: string | null;
  feedback_type: string | null;
  /** As given: a JSON-encoded number, boolean or string. */
  feedback_value: string | null;
  rating: number | null;
  thumbs_up: boolean | null;
  debug: boolean;
  /** Counted as bot traffic (crawler user agent, automated browser). */
  bot: boolean;
  /** Counted as an internal user's traffic. */
  internal: boolean;
  properties: unknown;
  context: unknown;
  traits: unknown;
  /** Unknown top-level fields, kept as they came. */
  extra: unknown;
}

/** Reads stored events out in bulk, for loading into a warehouse. */
export interface EventExport {
  /**
   * The range's events in the order they were stored, a page at a time, so
   * a caller that waits between pages (backpressure) never holds more than
   * one page in memory.
   */
  exportEvents(range: ExportRange): AsyncIterable<ExportedEvent[]>;
}

/** An epoch-ms column as the export writes it. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** A JSON column as the export writes it: the collector wrote it with JSON.stringify; a damaged value is exported as the text it is rather than failing the export. */
export function storedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
