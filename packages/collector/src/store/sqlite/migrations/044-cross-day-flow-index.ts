import type { SqlMigration } from './migration.js';

/**
 * The transitions whose earlier prompt lies on an earlier UTC day than the
 * later one (96 quarter-hours a day): the rows the index keeps. Exact for any
 * integer quarters, negative ones too (SQLite's `%` takes the dividend's
 * sign, which only admits more rows): a quarter minus its remainder is at
 * least the start of its day. SQLite reads a partial index only for a query
 * whose WHERE names this very term (TRANSITIONS_IN_RANGE_SQL, flow-range.ts).
 */
export const CROSS_DAY_TRANSITION_SQL = 'from_quarter < to_quarter - to_quarter % 96';

/**
 * `intent_flow_rollup_by_from` keeps only the transitions whose two prompts
 * lie on different UTC days: its one reader (TRANSITIONS_IN_RANGE_SQL, the
 * transitions from a range's partial first day into its whole days) asks for
 * no other, and it held every transition. At 10M bench events 5,288 of
 * 599,445 transition rows cross a day (2026-12-04), so the index falls from
 * 2.9 bytes per event to a few hundredths.
 */
export const crossDayFlowIndexMigration: SqlMigration = {
  version: 44,
  name: 'the transitions index by earlier prompt holds only those that cross a UTC day',
  sql: `
    DROP INDEX intent_flow_rollup_by_from;
    CREATE INDEX intent_flow_rollup_by_from ON intent_flow_rollup (with_debug, from_quarter, to_quarter)
      WHERE ${CROSS_DAY_TRANSITION_SQL};
  `,
};
