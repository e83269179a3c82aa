import { FOLDED_THROUGH } from './009-rollup-materializer.js';
import type { BatchFoldStatement } from './027-grouped-rollup-folds.js';
import type { Migration } from './migration.js';

/**
 * A table of (id, user key) pairs standing in for an index on an id over
 * every event: the user keys under which the events it names are stored, so
 * that a reader walks `events_user_ts` under each.
 */
export interface UserKeyPairs {
  table: 'anonymous_user_keys' | 'session_user_keys';
  idColumn: 'anonymous_id' | 'session_id';
  /** SQL: the events row `row` (NEW, or a table alias) is one whose pair the table keeps. */
  isPaired: (row: string) => string;
}

/**
 * The table, filled from the stored events, and the trigger that adds the
 * new pair of a folded event a relabel moves (events not folded yet get
 * theirs from the fold, `foldPairsStatement`).
 */
export function createPairTableSql({ table, idColumn, isPaired }: UserKeyPairs): string {
  return `CREATE TABLE ${table} (
      ${idColumn} TEXT NOT NULL,
      user_key TEXT NOT NULL,
      PRIMARY KEY (${idColumn}, user_key)
    ) WITHOUT ROWID;
    CREATE INDEX ${table}_user ON ${table} (user_key);
    INSERT OR IGNORE INTO ${table} (${idColumn}, user_key) SELECT e.${idColumn}, e.user_key FROM events e WHERE ${isPaired('e')};

    CREATE TRIGGER ${table}_relabel AFTER UPDATE OF user_key ON events
    WHEN ${isPaired('NEW')} AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      INSERT OR IGNORE INTO ${table} (${idColumn}, user_key) VALUES (NEW.${idColumn}, NEW.user_key);
    END;`;
}

/** The fold batch's pairs (batch-fold.ts runs it over each batch, ids in (@after, @through]). */
export function foldPairsStatement({ table, idColumn, isPaired }: UserKeyPairs): BatchFoldStatement {
  return {
    triggers: [],
    table,
    sql: `INSERT OR IGNORE INTO ${table} (${idColumn}, user_key)
      SELECT e.${idColumn}, e.user_key FROM events e NOT INDEXED WHERE e.id > @after AND e.id <= @through AND ${isPaired('e')}`,
  };
}

/** Events carrying an anonymous id that are stored under another key. */
const ANONYMOUS_USER_KEYS: UserKeyPairs = {
  table: 'anonymous_user_keys',
  idColumn: 'anonymous_id',
  isPaired: (row) => `${row}.anonymous_id IS NOT NULL AND ${row}.anonymous_id <> ${row}.user_key`,
};
export const FOLD_ANONYMOUS_USER_KEYS = foldPairsStatement(ANONYMOUS_USER_KEYS);

/**
 * Replaces the `events_anonymous` index (every event's anonymous id: 22 bytes
 * per event at 10M bench events, and a b-tree insert per stored event) with
 * the few (anonymous id, user key) pairs it was used to find.
 *
 * Its one reader was erasure, which deletes every event carrying an erased
 * user's linked anonymous ids wherever they are stored. Such an event is
 * stored under its anonymous id, or under another key: a userId sent with it,
 * an identify or alias that relabelled it, a link that has since moved on.
 * `anonymous_user_keys` holds those other keys per anonymous id, and erasure
 * walks `events_user_ts` under each of them (lifecycle-statements.ts).
 *
 * The table is derived like the rollups, off the request path: the fold adds
 * each batch's pairs, a relabel of a folded event adds its new pair (a
 * trigger), and erasure, which folds first, deletes an erased key's
 * pairs. It is a superset, which is all erasure needs: a pair whose events
 * retention deleted stays and costs an erasure one index probe. One row per
 * pair, not per event: one or two per identified browser.
 */
export const anonymousUserKeysMigration: Migration = {
  version: 30,
  name: 'erasure finds anonymous ids by their user keys',
  sql: `
    ${createPairTableSql(ANONYMOUS_USER_KEYS)}

    DROP INDEX events_anonymous;
  `,
};
