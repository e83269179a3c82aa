import type { Migration } from './migration.js';
import { staleUnitsSql, WEEK_UNIT } from './unit-staleness.js';

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
 * - `user_cost_week_lists_stale`: the weeks whose list no longer matches
 *   their quarter lists. A week turns stale with its first stale quarter
 *   (unit-staleness.ts; migration 018's triggers mark the quarters), so
 *   ingest pays no trigger more and a reader needs only the week marks. The
 *   background fold rewrites a stale week from its quarter lists once they
 *   are all fresh, except the latest week, which ingest keeps changing
 *   (user-cost-week-lists.ts); a query reads the quarter lists meanwhile.
 */
export const userCostWeekListsMigration: Migration = {
  version: 20,
  name: 'per-user cost lists per week of 7 UTC days',
  sql: `
    CREATE TABLE ${USER_COST_WEEK_TABLES.lists} (
      week    INTEGER PRIMARY KEY, -- quarter / ${WEEK_UNIT.quarters}
      entries BLOB NOT NULL -- per user: ordinal, cost, prompt tokens, completion tokens, total tokens, new conversations (big-endian binary64)
    );
    ${staleUnitsSql('user_cost_lists', 'user_cost_lists_stale', USER_COST_WEEK_TABLES.stale, WEEK_UNIT)}`,
};
