import type { Migration } from './migration.js';

/**
 * SQL: the code `code` (a `write_keys` row) as the events table stores it,
 * a BLOB of its decimal digits (write-key-codes.ts makes the same bytes).
 */
export const writeKeyCodeSql = (code: string): string => `CAST(CAST(${code} AS TEXT) AS BLOB)`;

/**
 * Each event names its write key by a short code rather than carrying the
 * key. The key was the same on nearly every row, yet each row stored it
 * twice, in the table and in the unique (write_key, message_id) index that
 * deduplicates: 23 + 23 bytes per event for the bench's key, more with a
 * production key (32+ characters).
 *
 * - `write_keys`: one row per key ever stored, never deleted (a handful of
 *   rows: a collector has a few keys).
 * - `events.write_key` keeps its name and its TEXT declaration and now holds
 *   the key's code as a BLOB of its decimal digits (1 byte for the first
 *   nine keys). A TEXT column stores a BLOB unchanged, and a BLOB never
 *   equals a TEXT, so no key text can be taken for a code. Every statement
 *   compares write keys for equality only (dedupe, response ids), which any
 *   one-to-one coding keeps; readers that need the key itself
 *   (`storedWriteKeySql`) look the code up.
 * - Existing rows are rewritten here, in one pass: a retry arriving after the
 *   upgrade must still meet its first copy in the unique index.
 */
export const writeKeyCodesMigration: Migration = {
  version: 29,
  name: 'events name their write key by a code',
  sql: `
    CREATE TABLE write_keys (
      code      INTEGER PRIMARY KEY,
      write_key TEXT NOT NULL UNIQUE
    );
    INSERT INTO write_keys (write_key) SELECT DISTINCT write_key FROM events ORDER BY 1;
    UPDATE events SET write_key = (SELECT ${writeKeyCodeSql('k.code')} FROM write_keys k WHERE k.write_key = events.write_key);
  `,
};
