import type { Migration } from './migration.js';

/** Quarter-hours per UTC day: a quarter's day is `quarter / 96`. */
const QUARTERS_PER_DAY = 96;

/** The per-day sums of `response_rollup`, and the days whose sums no longer match its rows. */
export const RESPONSE_DAY_TABLES = { quarters: 'response_rollup', days: 'response_day_rollup', stale: 'response_day_rollup_stale' } as const;

/**
 * The day rows of the response_rollup rows that `range` (a condition on
 * `quarter`) keeps: counts summed; cost and tokens by TOTAL() over the quarter
 * rows in quarter order, so that rewriting a day gives the same bits however
 * SQLite groups. Tokens by TOTAL() as the queries always read them: rows
 * stored before token counts were bounded may hold counts whose SUM()
 * overflows 64-bit integers, which SQLite reports as an error.
 */
export function responseDaySumsSql(range: string): string {
  return `INSERT INTO ${RESPONSE_DAY_TABLES.days}
            (day, debug, model, intent, responses, errors, timeouts, cost, prompt_tokens, completion_tokens, total_tokens)
          SELECT quarter / ${QUARTERS_PER_DAY}, debug, model, intent, SUM(responses), SUM(errors), SUM(timeouts),
                 TOTAL(cost ORDER BY quarter), TOTAL(prompt_tokens ORDER BY quarter), TOTAL(completion_tokens ORDER BY quarter),
                 TOTAL(total_tokens ORDER BY quarter)
            FROM ${RESPONSE_DAY_TABLES.quarters} WHERE ${range}
           GROUP BY 1, 2, 3, 4`;
}

function dayOf(quarter: string): string {
  return `${quarter} / ${QUARTERS_PER_DAY}`;
}

/** A trigger condition: the day of `quarter` is not marked stale yet. */
function isFresh(quarter: string): string {
  return `NOT EXISTS (SELECT 1 FROM ${RESPONSE_DAY_TABLES.stale} WHERE day = ${dayOf(quarter)})`;
}

/** NOT EXISTS rather than INSERT OR IGNORE: a trigger's OR IGNORE gives way to the conflict clause of the statement that fired it. */
function markStale(quarter: string): string {
  return `INSERT INTO ${RESPONSE_DAY_TABLES.stale} (day) SELECT ${dayOf(quarter)} WHERE ${isFresh(quarter)}`;
}

/**
 * Response sums per UTC day: `response_day_rollup` holds, per day, traffic
 * flags, model and intent, the sums of that day's `response_rollup` rows
 * (responses, errors, timeouts, cost, tokens), so that `errors` and `cost`
 * over 90 days read about a hundred rows per key instead of one per
 * quarter-hour (187,000 rows at 10M events). As for the value lists of
 * migration 016, triggers on the quarter table mark the days whose rows change
 * stale (folds, classification moving a response to another intent,
 * deletion); the background fold rewrites stale days except the latest one,
 * which ingest keeps changing (response-day-rollup.ts); a query reads whole
 * fresh days here and the rest (edge quarter-hours of a zone's days, stale
 * days) from response_rollup (metrics/response-sums.ts).
 *
 * Unlike 016, the migration writes every day at once: summing response_rollup
 * is one pass over its narrow rows (10M-event bench file, 2026-12-02: 187k
 * quarter rows → 3,707 day rows, 0.4 s to open and upgrade), so an upgraded
 * collector answers from day rows at once. Days are
 * those of quarters from the epoch on: SQLite's division truncates toward
 * zero, so day 0 would also take the quarters before 1970, which a reader
 * always takes from response_rollup.
 */
export const responseDayRollupMigration: Migration = {
  version: 19,
  name: 'response sums per UTC day',
  sql: `
    CREATE TABLE ${RESPONSE_DAY_TABLES.days} (
      day               INTEGER NOT NULL, -- UTC day: quarter / ${QUARTERS_PER_DAY}
      debug             INTEGER NOT NULL,
      model             TEXT    NOT NULL, -- '' = none
      intent            TEXT    NOT NULL, -- '' = none
      responses         INTEGER NOT NULL,
      errors            INTEGER NOT NULL,
      timeouts          INTEGER NOT NULL,
      cost              REAL    NOT NULL,
      prompt_tokens     INTEGER NOT NULL, -- held as REAL beyond 64-bit integers (see responseDaySumsSql)
      completion_tokens INTEGER NOT NULL,
      total_tokens      INTEGER NOT NULL,
      PRIMARY KEY (day, debug, model, intent)
    ) WITHOUT ROWID;
    CREATE TABLE ${RESPONSE_DAY_TABLES.stale} (day INTEGER PRIMARY KEY) WITHOUT ROWID;

    -- response_rollup changes by upsert (INSERT, or UPDATE of its sums) and by DELETE of rows left with no response.
    -- The WHEN conditions keep a fold into a day already stale (the latest day, all day long) to a lookup or two per row.
    CREATE TRIGGER ${RESPONSE_DAY_TABLES.days}_insert AFTER INSERT ON ${RESPONSE_DAY_TABLES.quarters}
    WHEN ${isFresh('NEW.quarter')}
    BEGIN
      ${markStale('NEW.quarter')};
    END;
    CREATE TRIGGER ${RESPONSE_DAY_TABLES.days}_update AFTER UPDATE ON ${RESPONSE_DAY_TABLES.quarters}
    WHEN ${isFresh('NEW.quarter')} OR ${isFresh('OLD.quarter')}
    BEGIN
      ${markStale('OLD.quarter')};
      ${markStale('NEW.quarter')};
    END;
    CREATE TRIGGER ${RESPONSE_DAY_TABLES.days}_delete AFTER DELETE ON ${RESPONSE_DAY_TABLES.quarters}
    WHEN ${isFresh('OLD.quarter')}
    BEGIN
      ${markStale('OLD.quarter')};
    END;

    ${responseDaySumsSql('quarter >= 0')};`,
};
