import { rollupsDeleteTriggerSql } from './008-event-deletion.js';
import { createPairTableSql, foldPairsStatement, type UserKeyPairs } from './030-anonymous-user-keys.js';
import type { Migration } from './migration.js';

/** SQL: the events row `row` is a message (a prompt or a response), what a session counts. */
const isMessage = (row: string): string => `${row}.event IN ('ai_user_prompt_created', 'ai_llm_response_received')`;

/** The messages of sessions. */
const SESSION_USER_KEYS: UserKeyPairs = {
  table: 'session_user_keys',
  idColumn: 'session_id',
  isPaired: (row) => `${row}.session_id IS NOT NULL AND ${isMessage(row)}`,
};
export const FOLD_SESSION_USER_KEYS = foldPairsStatement(SESSION_USER_KEYS);

/** The session row the deleted message OLD leaves (the trigger runs for messages only), when it has other messages left. */
const SESSION_ROW = 'session_id = OLD.session_id AND debug = OLD.debug';
/** The user keys the session's messages are stored under. */
const SESSION_KEYS = 'FROM session_user_keys k WHERE k.session_id = OLD.session_id';

/**
 * `column` of the first remaining message of OLD's session (and flags)
 * stored under the key `k.user_key`, in `order` of (ts, id) from `bound` (on `e`):
 * the user's events in time order from there, the walk stopping at the first
 * of the session's messages.
 */
const remainingUnderKey = (column: string, bound: string, order: 'ASC' | 'DESC'): string =>
  `(SELECT e.${column} FROM events e INDEXED BY events_user_ts
     WHERE e.user_key = k.user_key AND ${bound} AND e.session_id = OLD.session_id AND e.debug = OLD.debug AND ${isMessage('e')}
     ORDER BY e.ts ${order}, e.id ${order} LIMIT 1)`;

/**
 * Migration 008's session span recompute, by user key. The deleted message
 * held the first (last) time: every remaining message is at or after (before)
 * it, so each key's walk starts at OLD.ts. The user is the latest remaining
 * message's, at or before the (recomputed) last time. A session whose row
 * went with its last message takes its pairs along.
 */
const SESSION_SPAN_BY_USER_KEYS = `DELETE FROM session_user_keys
       WHERE session_id = OLD.session_id AND NOT EXISTS (SELECT 1 FROM session_rollup WHERE session_id = OLD.session_id);
      UPDATE session_rollup SET first_ts = (SELECT MIN(${remainingUnderKey('ts', 'e.ts >= OLD.ts', 'ASC')}) ${SESSION_KEYS})
       WHERE ${SESSION_ROW} AND OLD.ts <= first_ts;
      UPDATE session_rollup SET last_ts = (SELECT MAX(${remainingUnderKey('ts', 'e.ts <= OLD.ts', 'DESC')}) ${SESSION_KEYS})
       WHERE ${SESSION_ROW} AND OLD.ts >= last_ts;
      UPDATE session_rollup SET user_key = (
          SELECT user_key FROM events
           WHERE id IN (SELECT ${remainingUnderKey('id', 'e.ts <= session_rollup.last_ts', 'DESC')} ${SESSION_KEYS})
           ORDER BY ts DESC, id DESC LIMIT 1)
       WHERE ${SESSION_ROW} AND user_key = OLD.user_key;`;

/**
 * Replaces the `events_session` index (session id and time of every event
 * with a session: 29 bytes per event at 10M bench events, and a b-tree
 * insert per event) with the (session, user key) pairs its one reader needs.
 *
 * That reader is the delete trigger of migration 008: a deleted message that
 * held its session's first or last time, or whose user was the session's,
 * makes the row recompute them from the session's remaining messages. Those
 * are found now through `events_user_ts`, walking in time order from the
 * deleted message's time under each user key the session's messages are
 * stored under (nearly always one: sessions belong to one browser), and
 * stopping at the first message of the session.
 *
 * `session_user_keys` is a superset of those keys, one row per pair,
 * derived like the rollups, off the request path: the fold adds each batch's
 * pairs, a relabel of a folded message adds its new pair, erasure deletes an
 * erased key's pairs, and a session's pairs go with its last message, so the
 * table holds the sessions the rollup holds. Deletes fold first
 * (lifecycle-statements.ts): every stored message's pair is there.
 */
export const sessionUserKeysMigration: Migration = {
  version: 31,
  name: 'session spans recomputed through user keys',
  sql: `
    ${createPairTableSql(SESSION_USER_KEYS)}

    DROP TRIGGER events_rollups_delete;
    ${rollupsDeleteTriggerSql(SESSION_SPAN_BY_USER_KEYS)}
    DROP INDEX events_session;
  `,
};
