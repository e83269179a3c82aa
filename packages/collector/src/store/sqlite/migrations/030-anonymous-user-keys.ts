import { FOLDED_THROUGH } from './009-rollup-materializer.js';
import type { BatchFoldStatement } from './027-grouped-rollup-folds.js';
import type { Migration } from './migration.js';

/** An events row (NEW, or `e`) carries an anonymous id and is stored under another key. */
const carriesOtherAnonymousId = (row: string): string => `${row}.anonymous_id IS NOT NULL AND ${row}.anonymous_id <> ${row}.user_key`;

/** The fold batch's pairs (batch-fold.ts runs it over each batch, ids in (@after, @through]). */
export const FOLD_ANONYMOUS_USER_KEYS: BatchFoldStatement = {
  triggers: [],
  table: 'anonymous_user_keys',
  sql: `INSERT OR IGNORE INTO anonymous_user_keys (anonymous_id, user_key)
      SELECT e.anonymous_id, e.user_key FROM events e NOT INDEXED
       WHERE e.id > @after AND e.id <= @through AND ${carriesOtherAnonymousId('e')}`,
};

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
 * each batch's pairs, a relabel of a folded event adds its new pair (the
 * trigger below), and erasure, which folds first, deletes an erased key's
 * pairs. It is a superset, which is all erasure needs: a pair whose events
 * retention deleted stays and costs an erasure one index probe. One row per
 * pair, not per event: one or two per identified browser.
 */
export const anonymousUserKeysMigration: Migration = {
  version: 30,
  name: 'erasure finds anonymous ids by their user keys',
  sql: `
    CREATE TABLE anonymous_user_keys (
      anonymous_id TEXT NOT NULL,
      user_key     TEXT NOT NULL,
      PRIMARY KEY (anonymous_id, user_key)
    ) WITHOUT ROWID;
    CREATE INDEX anonymous_user_keys_user ON anonymous_user_keys (user_key);
    INSERT OR IGNORE INTO anonymous_user_keys (anonymous_id, user_key)
      SELECT e.anonymous_id, e.user_key FROM events e WHERE ${carriesOtherAnonymousId('e')};

    CREATE TRIGGER anonymous_user_keys_relabel AFTER UPDATE OF user_key ON events
    WHEN ${carriesOtherAnonymousId('NEW')} AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      INSERT OR IGNORE INTO anonymous_user_keys (anonymous_id, user_key) VALUES (NEW.anonymous_id, NEW.user_key);
    END;

    DROP INDEX events_anonymous;
  `,
};
