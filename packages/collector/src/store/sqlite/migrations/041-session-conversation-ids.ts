import { canonicalUuidTextSql } from '../message-ids.js';
import { storedId } from '../session-conversation-ids.js';
import type { ProgramMigration } from './migration.js';

/**
 * Every column that holds a session or conversation id, and whether the
 * table keys its rows by it (a primary key or unique constraint with it).
 */
export const SESSION_CONVERSATION_ID_COLUMNS = [
  { table: 'events', column: 'session_id', keyed: false },
  { table: 'events', column: 'conversation_id', keyed: false },
  { table: 'session_rollup', column: 'session_id', keyed: true },
  { table: 'session_user_keys', column: 'session_id', keyed: true },
  { table: 'conversation_rollup', column: 'conversation_id', keyed: true },
  { table: 'conversation_response_quarters', column: 'conversation_id', keyed: true },
  { table: 'user_conversation_quarters', column: 'conversation_id', keyed: true },
  { table: 'shared_conversations', column: 'conversation_id', keyed: true },
] as const;

/**
 * Session and conversation ids that are canonical lowercase UUIDs, as the SDK
 * makes them, are stored in 23 characters instead of 36
 * (session-conversation-ids.ts): in the rows, the turn indexes and the
 * per-session and per-conversation rollups. The ids already stored are
 * converted here, in every table that holds them, so that the events of a
 * session or conversation that continues after the upgrade meet the rows
 * of its earlier ones.
 *
 * Ids that start with `~` take one more first: a keyed table may hold both
 * `~x` and `~~x`, so those are renamed one id at a time, longest first (each
 * takes the name a longer one has just left). Then the UUIDs, whose stored
 * form (`~` and a base64url character) no stored id has any more.
 *
 * Measured on 1M bench events with SDK-shaped ids (`BENCH_IDS=sdk`,
 * 2026-12-04): see docs/metrics.md.
 */
export const sessionConversationIdsMigration: ProgramMigration = {
  version: 41,
  name: 'canonical UUID session and conversation ids stored in 23 characters',
  apply(db) {
    db.function('chatmeter_stored_id', { deterministic: true }, (id: unknown) => (typeof id === 'string' ? storedId(id) : id));
    for (const { table, column, keyed } of SESSION_CONVERSATION_ID_COLUMNS) {
      if (keyed) {
        const escape = db.prepare(`UPDATE ${table} SET ${column} = '~' || ${column} WHERE ${column} = ?`);
        const ids = db.prepare(`SELECT DISTINCT ${column} FROM ${table} WHERE ${column} GLOB '~*' ORDER BY length(${column}) DESC`).pluck().all();
        for (const id of ids) escape.run(id);
      } else {
        db.prepare(`UPDATE ${table} SET ${column} = '~' || ${column} WHERE ${column} GLOB '~*'`).run();
      }
      db.prepare(`UPDATE ${table} SET ${column} = chatmeter_stored_id(${column}) WHERE ${canonicalUuidTextSql(column)}`).run();
    }
  },
};
