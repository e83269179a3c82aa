import type { EventRecord } from '../event-record.js';
import type { EventTableRow } from './event-table-row.js';

/**
 * The events table keeps each value once. Ingest copies several properties
 * into typed columns (to-event-record.ts: `latency_ms`, `model_used`,
 * `token_count`…) and `context.sessionId` into `session_id`; storing them in
 * the JSON columns as well cost about a third of a response row (measured
 * 2026-12-02 on the bench's events: 240 of the properties' bytes were
 * copies). So the JSON columns leave out every copy the columns reproduce
 * exactly, and the readers of whole rows (the export, the copy to another
 * engine) put them back.
 *
 * Lossless by construction: a property is left out only when it is strictly
 * equal to its column's value (same type, same value), and put back only
 * when it is absent from the stored JSON while its column has a value —
 * which each of these columns has only when the property was sent. Columns
 * that can have a value without the property are not listed: `status`
 * (defaults to success), `intent` (the classifier's verdict replaces it),
 * `total_tokens` alone (the sum of the other two when missing). Rows stored
 * before this kept every property, and nothing is put back over them.
 * Restored keys come first; JSON objects carry no meaning in key order.
 */
interface ColumnCopy {
  /** The property's (or context field's) name on the wire. */
  key: string;
  field: keyof EventRecord & keyof ColumnValues;
  column: keyof EventTableRow;
}

type ColumnValues = Pick<
  EventRecord,
  | 'conversationId'
  | 'promptNumber'
  | 'latencyMs'
  | 'timeToFirstTokenMs'
  | 'tokensPerSecond'
  | 'cost'
  | 'model'
  | 'responseId'
  | 'regeneratedFrom'
  | 'errorType'
  | 'actionType'
  | 'sessionId'
  | 'promptTokens'
  | 'completionTokens'
  | 'totalTokens'
>;

const PROPERTY_COPIES = [
  { key: 'conversation_id', field: 'conversationId', column: 'conversation_id' },
  { key: 'prompt_number', field: 'promptNumber', column: 'prompt_number' },
  { key: 'latency_ms', field: 'latencyMs', column: 'latency_ms' },
  { key: 'time_to_first_token_ms', field: 'timeToFirstTokenMs', column: 'time_to_first_token_ms' },
  { key: 'tokens_per_second', field: 'tokensPerSecond', column: 'tokens_per_second' },
  { key: 'cost', field: 'cost', column: 'cost' },
  { key: 'model_used', field: 'model', column: 'model' },
  { key: 'response_id', field: 'responseId', column: 'response_id' },
  { key: 'regenerated_from', field: 'regeneratedFrom', column: 'regenerated_from' },
  { key: 'error_type', field: 'errorType', column: 'error_type' },
  { key: 'action_type', field: 'actionType', column: 'action_type' },
] as const satisfies readonly ColumnCopy[];

/** `token_count` is left out only whole: exactly these three numbers, each equal to its column. */
const TOKEN_COUNT = 'token_count';
const TOKEN_COPIES = [
  { key: 'prompt_tokens', field: 'promptTokens', column: 'prompt_tokens' },
  { key: 'completion_tokens', field: 'completionTokens', column: 'completion_tokens' },
  { key: 'total_tokens', field: 'totalTokens', column: 'total_tokens' },
] as const satisfies readonly ColumnCopy[];

const SESSION_COPY = { key: 'sessionId', field: 'sessionId', column: 'session_id' } as const satisfies ColumnCopy;

/** The row's columns the restore reads. */
export type CopiedColumns = Pick<
  EventTableRow,
  (typeof PROPERTY_COPIES)[number]['column'] | (typeof TOKEN_COPIES)[number]['column'] | typeof SESSION_COPY.column
>;

/** The record's properties without the values its columns hold. */
export function leanProperties(record: EventRecord): Record<string, unknown> {
  const { properties } = record;
  const lean: Record<string, unknown> = {};
  for (const key of Object.keys(properties)) {
    const value = properties[key];
    const copy = PROPERTY_COPIES.find((candidate) => candidate.key === key) as ColumnCopy | undefined;
    if (copy !== undefined && value === record[copy.field]) continue;
    if (key === TOKEN_COUNT && isTokenCopy(value, record)) continue;
    lean[key] = value;
  }
  return lean;
}

/** The record's context without the session id its column holds. */
export function leanContext(record: EventRecord): Record<string, unknown> {
  const { context } = record;
  if (!(SESSION_COPY.key in context) || context[SESSION_COPY.key] !== record.sessionId) return context;
  const { [SESSION_COPY.key]: _copied, ...lean } = context;
  return lean;
}

/** Stored properties with the values the columns hold put back. */
export function restoreProperties(row: CopiedColumns, stored: Record<string, unknown>): Record<string, unknown> {
  const restored: Record<string, unknown> = {};
  for (const { key, column } of PROPERTY_COPIES) {
    const value = row[column];
    if (value !== null && !(key in stored)) restored[key] = value;
  }
  if (!(TOKEN_COUNT in stored) && TOKEN_COPIES.every(({ column }) => row[column] !== null)) {
    restored[TOKEN_COUNT] = Object.fromEntries(TOKEN_COPIES.map(({ key, column }) => [key, row[column]]));
  }
  return { ...restored, ...stored };
}

/** Stored context with the session id put back. */
export function restoreContext(row: CopiedColumns, stored: Record<string, unknown>): Record<string, unknown> {
  const sessionId = row[SESSION_COPY.column];
  return sessionId === null || SESSION_COPY.key in stored ? stored : { [SESSION_COPY.key]: sessionId, ...stored };
}

function isTokenCopy(value: unknown, record: EventRecord): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const tokens = value as Record<string, unknown>;
  const keys = Object.keys(tokens);
  return keys.length === TOKEN_COPIES.length && TOKEN_COPIES.every(({ key, field }) => key in tokens && tokens[key] === record[field] && typeof tokens[key] === 'number');
}
