import type { Migration } from './migration.js';

/** Quarter-hours per week of 7 UTC days: a quarter's week is `quarter / 672`. */
const QUARTERS_PER_WEEK = 672;

/** The per-user cost lists per week, and the weeks whose list no longer matches their quarter lists. */
export const USER_COST_WEEK_TABLES = { lists: 'user_cost_week_lists', stale: 'user_cost_week_lists_stale' } as const;

/**
 * Per-user cost lists per week of 7 UTC days: cost by user segment at 10M
 * events read 1,133,967 entries (54 MB) of migration 018's quarter lists for
 * 90 days, 96 ms to read and 41–48 ms to sum per user (2026-12-02). A user
 * active in several quarter-hours of a week is one entry in the week's list:
 * the same range reads 516,874 entries with the week lists (11 week lists
 * and, for the latest week and the 6 edge days, 1,193 quarter lists), 25–37
 * ms to read and 12–15 ms to sum.
 *
 * - `user_cost_week_lists.entries`: per week (`quarter / 672`, weeks of the
 *   epoch on; SQLite's division truncates toward zero, so week 0 would also
 *   take quarters before 1970, which a reader always takes from the quarter
 *   lists), each user's sums over the week's quarter lists, in the same
 *   format: ordinal, cost, prompt, completion and total tokens, new
 *   conversations (big-endian binary64), one entry per user.
 * - A week list answers only while its week is not in
 *   `user_cost_week_lists_stale` and none of its quarters is in
 *   `user_cost_lists_stale`: every change of `user_cost_rollup` already marks
 *   its quarter stale (migration 018's triggers), so ingest pays no trigger
 *   more. When the background fold rewrites a quarter list, it marks the
 *   quarter's week stale in the same transaction (user-cost-lists.ts); it
 *   then rewrites weeks whose quarters are all fresh from their quarter lists,
 *   except the latest week, which ingest keeps changing
 *   (user-cost-week-lists.ts).
 *
 * The migration marks every week holding a quarter list or an ordinary
 * rollup row stale: the background fold writes the lists of an existing
 * database after the upgrade, and a query reads the quarter lists meanwhile.
 */
export const userCostWeekListsMigration: Migration = {
  version: 20,
  name: 'per-user cost lists per week of 7 UTC days',
  sql: `
    CREATE TABLE ${USER_COST_WEEK_TABLES.lists} (
      week    INTEGER PRIMARY KEY, -- quarter / ${QUARTERS_PER_WEEK}
      entries BLOB NOT NULL -- per user: ordinal, cost, prompt tokens, completion tokens, total tokens, new conversations (big-endian binary64)
    );
    CREATE TABLE ${USER_COST_WEEK_TABLES.stale} (week INTEGER PRIMARY KEY) WITHOUT ROWID;
    INSERT INTO ${USER_COST_WEEK_TABLES.stale} (week)
      SELECT quarter / ${QUARTERS_PER_WEEK} FROM user_cost_lists WHERE quarter >= 0
      UNION
      SELECT quarter / ${QUARTERS_PER_WEEK} FROM user_cost_rollup WHERE quarter >= 0 AND debug = 0;`,
};
