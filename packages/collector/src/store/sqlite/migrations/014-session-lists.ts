import type { Migration } from './migration.js';

/** A UTC quarter-hour, as in the other rollups: `ts / 900000`. */
const QUARTER_MS = 900_000;

/**
 * Marks the quarter of a session row's first message stale (a statement that
 * may take more AND conditions). Not INSERT OR IGNORE: inside a trigger the
 * fold's upsert into session_rollup would impose its own conflict handling,
 * and a second mark of the same quarter would fail the fold.
 */
function markStale(row: 'NEW' | 'OLD'): string {
  const quarter = `${row}.first_ts / ${QUARTER_MS}`;
  return `INSERT INTO session_lists_stale (quarter) SELECT ${quarter}
           WHERE NOT EXISTS (SELECT 1 FROM session_lists_stale WHERE quarter = ${quarter})`;
}

/**
 * Session lists: the ordinary sessions (debug = 0) of each UTC quarter-hour
 * of their first message, as one binary list per quarter, so that `sessions`
 * reads a few thousand rows for a range instead of one `session_rollup` row
 * per session (1M rows for 90 days at 10M events), and counts distinct users
 * over integer ordinals instead of user keys in a temporary b-tree.
 *
 * - `user_ordinals` numbers user keys once. An explicit INTEGER PRIMARY KEY,
 *   because VACUUM may renumber an implicit rowid (and the lists keep the
 *   numbers). Erasure deletes the erased keys' rows (lifecycle-statements.ts).
 * - `session_lists.sessions` holds, per session, four big-endian binary64
 *   values: the user's ordinal, the duration in ms (last - first message),
 *   the user messages, the bot messages (session-lists.ts writes and reads it).
 * - `session_lists_stale` holds the quarters whose sessions changed since
 *   their list was written: every change of an ordinary `session_rollup` row
 *   (the fold, identify's relabel, deletions) marks the quarters of its old
 *   and new first message. The background fold rewrites stale lists a few at
 *   a time; a query reads a stale quarter from `session_rollup` itself, so an
 *   answer never depends on how far the rewriting got.
 *
 * The migration marks every quarter holding a session stale: the lists of an
 * existing database are written by the background fold after the upgrade.
 */
export const sessionListsMigration: Migration = {
  version: 14,
  name: 'session lists per quarter-hour',
  sql: `
    CREATE TABLE user_ordinals (
      ordinal INTEGER PRIMARY KEY,
      user_key TEXT NOT NULL UNIQUE
    );
    CREATE TABLE session_lists (
      quarter INTEGER PRIMARY KEY,
      sessions BLOB NOT NULL -- per session: user ordinal, duration ms, user messages, bot messages (big-endian binary64)
    );
    CREATE TABLE session_lists_stale (quarter INTEGER PRIMARY KEY) WITHOUT ROWID;

    CREATE TRIGGER session_lists_insert AFTER INSERT ON session_rollup WHEN NEW.debug = 0
    BEGIN
      ${markStale('NEW')};
    END;
    CREATE TRIGGER session_lists_update AFTER UPDATE ON session_rollup WHEN OLD.debug = 0 OR NEW.debug = 0
    BEGIN
      ${markStale('OLD')} AND OLD.debug = 0;
      ${markStale('NEW')} AND NEW.debug = 0;
    END;
    CREATE TRIGGER session_lists_delete AFTER DELETE ON session_rollup WHEN OLD.debug = 0
    BEGIN
      ${markStale('OLD')};
    END;

    INSERT INTO session_lists_stale (quarter) SELECT DISTINCT first_ts / ${QUARTER_MS} FROM session_rollup WHERE debug = 0;
  `,
};
