import { SDK_HEALTH_EVENT } from '../../protocol/index.js';
import type { EventRecord } from '../event-record.js';
import type { EventTableRow } from './event-table-row.js';
import { DEFAULT_RESPONSE_STATUS } from './migrations/033-vocabulary-columns.js';

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
 * which each of these columns has only when the property was sent. `status`
 * has a value without the property (ingest defaults it to success), so its
 * property is put back only when `status_code` says it was sent (migration
 * 033). Columns that can have a value without the property are not listed:
 * `intent` (the classifier's verdict replaces it), `total_tokens` alone (the
 * sum of the other two when missing). Rows stored before this kept every
 * property, and nothing is put back over them. Restored keys come first;
 * JSON objects carry no meaning in key order.
 */
interface ColumnCopy {
  /** The property's (or context field's) name on the wire. */
  key: string;
  field: keyof EventRecord & keyof ColumnValues;
  column: keyof EventTableRow;
  /** The stored column that is NULL when the property was not sent, when `column` can have a value without it. */
  sentColumn?: keyof EventTableRow;
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
  | 'status'
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
  // `status` reads 'success' for a response without the property; `status_code` is stored only when it was sent (migration 033).
  { key: 'response_status', field: 'status', column: 'status', sentColumn: 'status_code' },
] as const satisfies readonly ColumnCopy[];

/**
 * Properties of the SDK's own that the events table keeps in columns of
 * their own (migration 033), though no metric reads them: nearly every
 * prompt and response carries them, and in the JSON their names took more
 * bytes than their values. A property goes to its column only when the
 * column holds it exactly (a count as an integer, a text as a text).
 */
const PROPERTY_COLUMNS = [
  { key: 'prompt_length', column: 'prompt_length', holds: isCount },
  { key: 'response_length', column: 'response_length', holds: isCount },
  { key: 'input_method', column: 'input_method', holds: isText },
] as const satisfies readonly { key: string; column: keyof EventTableRow; holds: (value: unknown) => boolean }[];

/** The values the events table stores for a record beyond its fields: the property columns, and the status as sent. */
export interface PropertyColumnValues {
  prompt_length: number | null;
  response_length: number | null;
  input_method: string | null;
  /** NULL for a status the collector defaulted: `status` reads the default back (migration 033). */
  status: string | null;
}

/** `token_count` is left out only whole: exactly these three numbers, each equal to its column. */
const TOKEN_COUNT = 'token_count';
const TOKEN_COPIES = [
  { key: 'prompt_tokens', field: 'promptTokens', column: 'prompt_tokens' },
  { key: 'completion_tokens', field: 'completionTokens', column: 'completion_tokens' },
  { key: 'total_tokens', field: 'totalTokens', column: 'total_tokens' },
] as const satisfies readonly ColumnCopy[];

const SESSION_COPY = { key: 'sessionId', field: 'sessionId', column: 'session_id' } as const satisfies ColumnCopy;

/**
 * Feedback's `action_details` as the SDK sends it, `{ feedback_type,
 * feedback_value }`, is left out whole when `feedback_type` holds the type
 * and `feedback_value` the value's JSON (to-event-record.ts): about 67 bytes
 * of JSON on every thumb or rating (2–3% of the bench's events, 2026-12-04).
 * Only primitive values, whose JSON reads back as the same value; details
 * with a kept text or any other key stay whole.
 */
const ACTION_DETAILS = 'action_details';
const FEEDBACK_KEYS = new Set(['feedback_type', 'feedback_value']);

/** The row's columns the restore reads. */
export type CopiedColumns = Pick<
  EventTableRow,
  | (typeof PROPERTY_COPIES)[number]['column']
  | 'status_code'
  | (typeof PROPERTY_COLUMNS)[number]['column']
  | (typeof TOKEN_COPIES)[number]['column']
  | typeof SESSION_COPY.column
  | 'feedback_type'
  | 'feedback_value'
>;

/**
 * The properties of the SDK's health report (`chatmeter_sdk_health`, about
 * a tenth of the events), in the order a stored report lists their values.
 * Its JSON took ~99 bytes, ~70 of them these names. A report whose
 * properties are exactly the first six, or all seven, is stored as the
 * array of its values (`[2,2,0,0,0,"indexeddb"]`); any other stays an
 * object. Ingest only stores objects as properties, so an array is always
 * such a report. Frozen: stored arrays are read by position (the delivery
 * lists read them in SQL, `healthPropertySql`). Written since migration 036,
 * so no collector that predates the format opens a file that holds it.
 */
const HEALTH_REPORT_KEYS = ['queued', 'sent', 'retried', 'dropped_queue_full', 'dropped_rejected', 'storage', 'oldest_waiting_ms'] as const;
export type HealthReportKey = (typeof HEALTH_REPORT_KEYS)[number];
/** How many keys a packed report holds at least: the last is optional (`oldest_waiting_ms`). */
const HEALTH_REPORT_REQUIRED_KEYS = HEALTH_REPORT_KEYS.length - 1;

/** A health report's properties as stored: the values of HEALTH_REPORT_KEYS, or null when the keys are others. */
function packedHealthReport(properties: Record<string, unknown>): unknown[] | null {
  const keys = Object.keys(properties);
  if (keys.length < HEALTH_REPORT_REQUIRED_KEYS || keys.length > HEALTH_REPORT_KEYS.length) return null;
  const values = HEALTH_REPORT_KEYS.slice(0, keys.length).map((key) => properties[key]);
  // Every key present (a missing one reads as undefined; JSON holds no undefined).
  return values.every((value) => value !== undefined) ? values : null;
}

/** SQL: the health report property `key` of the stored properties, packed or not. */
export function healthPropertySql(key: HealthReportKey): string {
  return `json_extract(properties, CASE WHEN substr(properties, 1, 1) = '[' THEN '$[${HEALTH_REPORT_KEYS.indexOf(key)}]' ELSE '$.${key}' END)`;
}

/** Stored properties as sent: a packed health report becomes its object again; anything else is returned as it is. */
export function unpackedProperties(stored: unknown): unknown {
  if (!Array.isArray(stored) || stored.length < HEALTH_REPORT_REQUIRED_KEYS || stored.length > HEALTH_REPORT_KEYS.length) return stored;
  return Object.fromEntries(stored.map((value: unknown, index) => [HEALTH_REPORT_KEYS[index], value]));
}

/** The record's properties as stored: without the values its columns hold, a health report packed. */
export function leanProperties(record: EventRecord): Record<string, unknown> | unknown[] {
  const { properties } = record;
  if (record.event === SDK_HEALTH_EVENT) {
    const packed = packedHealthReport(properties);
    if (packed !== null) return packed;
  }
  const lean: Record<string, unknown> = {};
  for (const key of Object.keys(properties)) {
    const value = properties[key];
    const copy = PROPERTY_COPIES.find((candidate) => candidate.key === key) as ColumnCopy | undefined;
    if (copy !== undefined && value === record[copy.field]) continue;
    if (key === TOKEN_COUNT && isTokenCopy(value, record)) continue;
    if (key === ACTION_DETAILS && isFeedbackCopy(value, record)) continue;
    if (PROPERTY_COLUMNS.some((column) => column.key === key && column.holds(value))) continue;
    lean[key] = value;
  }
  return lean;
}

/**
 * The properties column's text: empty when the columns hold every property,
 * as for nearly every prompt and response (the two bytes of `{}` in about
 * 85% of the bench's rows); JSON otherwise. Written since migration 043, so
 * no collector that predates the format opens a file that holds it.
 */
export function storedPropertiesText(lean: Record<string, unknown> | unknown[]): string {
  const text = JSON.stringify(lean);
  return text === '{}' ? '' : text;
}

/** The stored properties as JSON text: `{}` for the empty text of storedPropertiesText. */
export function storedPropertiesJson(stored: string): string {
  return stored === '' ? '{}' : stored;
}

/** What the property columns and `status_code` store for the record. */
export function propertyColumnValues(record: EventRecord): PropertyColumnValues {
  const { properties } = record;
  const defaulted = record.status === DEFAULT_RESPONSE_STATUS && properties['response_status'] !== DEFAULT_RESPONSE_STATUS;
  // One literal of a fixed shape, filled in place: this runs on the request's thread for every event,
  // and Object.fromEntries over PROPERTY_COLUMNS took ~2 µs.
  const values: Record<keyof PropertyColumnValues, unknown> = { prompt_length: null, response_length: null, input_method: null, status: defaulted ? null : record.status };
  for (const { key, column, holds } of PROPERTY_COLUMNS) if (holds(properties[key])) values[column] = properties[key];
  return values as PropertyColumnValues;
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
  for (const copy of PROPERTY_COPIES as readonly ColumnCopy[]) {
    const value = row[copy.column as keyof CopiedColumns];
    const sent = copy.sentColumn === undefined || row[copy.sentColumn as keyof CopiedColumns] !== null;
    if (value !== null && sent && !(copy.key in stored)) restored[copy.key] = value;
  }
  for (const { key, column } of PROPERTY_COLUMNS) {
    const value = row[column];
    if (value !== null && !(key in stored)) restored[key] = value;
  }
  if (!(TOKEN_COUNT in stored) && TOKEN_COPIES.every(({ column }) => row[column] !== null)) {
    restored[TOKEN_COUNT] = Object.fromEntries(TOKEN_COPIES.map(({ key, column }) => [key, row[column]]));
  }
  // feedback_type has a value only when action_details named it.
  if (!(ACTION_DETAILS in stored) && row.feedback_type !== null) {
    restored[ACTION_DETAILS] = {
      feedback_type: row.feedback_type,
      ...(row.feedback_value === null ? {} : { feedback_value: JSON.parse(row.feedback_value) as unknown }),
    };
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

function isFeedbackCopy(value: unknown, record: EventRecord): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const details = value as Record<string, unknown>;
  // An undefined value is no key in the stored JSON: the feedback text ingest drops (extract-text.ts).
  if (!Object.keys(details).every((key) => FEEDBACK_KEYS.has(key) || details[key] === undefined)) return false;
  if (typeof details['feedback_type'] !== 'string' || details['feedback_type'] !== record.feedbackType) return false;
  if (!('feedback_value' in details)) return record.feedbackValue === null;
  const feedbackValue = details['feedback_value'];
  const primitive =
    feedbackValue === null || typeof feedbackValue === 'string' || typeof feedbackValue === 'boolean' ||
    (typeof feedbackValue === 'number' && Number.isFinite(feedbackValue));
  return primitive && record.feedbackValue === JSON.stringify(feedbackValue);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isText(value: unknown): value is string {
  return typeof value === 'string';
}
