import type { EventRecord } from '../event-record.js';

/**
 * The times an `events` row keeps as offsets from its `ts` (migration 032):
 * how the writer stores them, and how readers get epoch milliseconds back.
 */

/** SQL: the columns `original_ts`, `sent_at` and `received_at` of the events row `row` (a table alias). */
export const storedTimesSql = (row: string): string =>
  `${row}.ts + ${row}.original_ts_offset AS original_ts, ${row}.ts + ${row}.sent_at_offset AS sent_at,
   ${row}.ts + ${row}.received_at_offset AS received_at`;

/** SQL: when the events row `row` was received. */
export const receivedAtSql = (row: string): string => `${row}.ts + ${row}.received_at_offset`;

/** A row read with `storedTimesSql(…)`. */
export interface StoredTimes {
  original_ts: number | null;
  sent_at: number | null;
  received_at: number;
}

/** An event's times as the writer stores them. */
export interface TimeOffsets {
  original_ts_offset: number | null;
  sent_at_offset: number | null;
  received_at_offset: number;
}

export function timeOffsets(record: Pick<EventRecord, 'timestamp' | 'originalTimestamp' | 'sentAt' | 'receivedAt'>): TimeOffsets {
  return {
    original_ts_offset: record.originalTimestamp === null ? null : record.originalTimestamp - record.timestamp,
    sent_at_offset: record.sentAt === null ? null : record.sentAt - record.timestamp,
    received_at_offset: record.receivedAt - record.timestamp,
  };
}
