import type Database from 'better-sqlite3';
import { storedEventNameSql, storesEventCodes } from '../../src/store/sqlite/migrations/035-event-codes.js';

/** The events columns computed since a migration, by the stored column written in their place. */
const STORED_IN_PLACE_OF: Readonly<Record<string, string>> = {
  type: 'type_code', // migration 033
  status: 'status_code', // migration 033
  event: 'event_code', // migration 035
  intent: 'intent_code', // migration 036
  user_id: 'user_id_stored', // migration 036
};

/**
 * How a test's own SQL names the events columns it writes, at `db`'s schema
 * age: `type` and `status` are computed from stored code columns since
 * migration 033, `event` since 035, `intent` and `user_id` since 036; a test
 * writes the stored column with the same values (it keeps a text as the
 * text). `columns` is a
 * comma-separated list.
 */
export function storedEventColumns(db: Database.Database): (columns: string) => string {
  const stored = new Set(db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all() as string[]);
  return (columns) =>
    columns
      .split(',')
      .map((column) => {
        const code = STORED_IN_PLACE_OF[column.trim()];
        return code !== undefined && stored.has(code) ? code : column.trim();
      })
      .join(', ');
}

/**
 * The SQL a test's INSERT writes into the events table for the event name
 * `valueSql`, at `db`'s schema age: since migration 035 `event_code` stores
 * the code of a coded name, which the partial indexes and the fold compare,
 * so the name is written as the writer writes it.
 */
export function storedEventNameFor(db: Database.Database): (valueSql: string) => string {
  return storesEventCodes(db) ? storedEventNameSql : (valueSql) => valueSql;
}
