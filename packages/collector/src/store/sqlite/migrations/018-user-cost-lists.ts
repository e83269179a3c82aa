import { listsSql } from './014-quarter-lists.js';
import type { Migration } from './migration.js';

/**
 * Cost by user segment at 10M events read 1.1M rows of migration 011's
 * `user_cost_rollup` for 90 days and grouped them by user key in a temporary
 * b-tree: 0.7–1.6 s. This migration adds, as migration 014 does for sessions:
 *
 * - `user_cost_lists.entries`: per UTC quarter-hour, the quarter's ordinary
 *   (debug = 0) `user_cost_rollup` rows as entries of six big-endian binary64
 *   values (user-cost-lists.ts): the user's ordinal (`user_ordinals`), cost,
 *   prompt, completion and total tokens, and the conversations the row counts
 *   as new. `user_cost_lists_stale` holds the quarters whose rows changed since
 *   (fold, relabel, deletion); the background fold rewrites them, and a query
 *   reads a stale quarter from the rollup, so an answer never depends on how
 *   far the rewriting got.
 * - `user_traits_version`: one counter, raised by every change of a user's
 *   traits (a new user with traits, changed traits, a deleted user or user
 *   ordinal), so that a reader may keep each user's segment between queries
 *   and know when the segments it holds may be out of date.
 *
 * Every quarter holding an ordinary row starts stale: the background fold
 * writes the lists of an existing database after the upgrade.
 */
export const userCostListsMigration: Migration = {
  version: 18,
  name: 'per-user cost lists per quarter-hour and a traits version',
  sql: `
    ${listsSql(
      { rollup: 'user_cost_rollup', quarterOf: (row) => `${row}quarter` },
      'user_cost_lists',
      'user_cost_lists_stale',
      'user cost row: user ordinal, cost, prompt tokens, completion tokens, total tokens, new conversations (big-endian binary64)',
    )}
    CREATE TABLE user_traits_version (
      id      INTEGER PRIMARY KEY CHECK (id = 1),
      version INTEGER NOT NULL
    );
    INSERT INTO user_traits_version (id, version) VALUES (1, 0);
    CREATE TRIGGER user_traits_version_insert AFTER INSERT ON users WHEN NEW.traits <> '{}'
    BEGIN
      UPDATE user_traits_version SET version = version + 1;
    END;
    CREATE TRIGGER user_traits_version_update AFTER UPDATE OF traits ON users WHEN OLD.traits IS NOT NEW.traits
    BEGIN
      UPDATE user_traits_version SET version = version + 1;
    END;
    CREATE TRIGGER user_traits_version_delete AFTER DELETE ON users
    BEGIN
      UPDATE user_traits_version SET version = version + 1;
    END;
    -- an erased user's ordinal may be numbered again (the highest one is), for a user of another segment
    CREATE TRIGGER user_traits_version_ordinal_delete AFTER DELETE ON user_ordinals
    BEGIN
      UPDATE user_traits_version SET version = version + 1;
    END;
  `,
};
