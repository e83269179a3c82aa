import type Database from 'better-sqlite3';
import { DAY_MS } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { dayPieces, type DayPiece } from '../day-pieces.js';
import { RESPONSE_DAY_TABLES } from '../migrations/019-response-day-rollup.js';
import { createTotal, type Total } from '../total.js';
import { keyColumnSql, rollupKeyFiltersSql } from './rollup-filters-sql.js';
import { QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

/** What a response is grouped by; `total` puts the whole scope in one group (key NULL). */
export type ResponseGrouping = 'intent' | 'model' | 'day' | 'total';

/** The sums of response_rollup over one group; a `day` key is the local day number. */
export interface ResponseSums {
  key: string | number | null;
  responses: number;
  errors: number;
  timeouts: number;
  cost: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Sums of integers (exact in any order), and sums by TOTAL() (added with compensation). */
const COUNTS = ['responses', 'errors', 'timeouts'] as const;
const TOTALS = ['cost', 'promptTokens', 'completionTokens', 'totalTokens'] as const;

/** Tokens by TOTAL(): SUM() fails on integer overflow, which legacy rows of unbounded token counts can reach. */
const SUMS_SQL = `SUM(responses) AS responses, SUM(errors) AS errors, SUM(timeouts) AS timeouts, TOTAL(cost) AS cost,
                  TOTAL(prompt_tokens) AS promptTokens, TOTAL(completion_tokens) AS completionTokens, TOTAL(total_tokens) AS totalTokens`;

/**
 * The group key over one table: `at` is the first instant of a row's period
 * (a quarter-hour, or a UTC day of the day table) in epoch ms.
 */
function keySql(scope: MetricScope, groupBy: ResponseGrouping, at: string): string {
  if (groupBy === 'total') return 'NULL';
  if (groupBy === 'day') return localDaySql(scope.calendar, at);
  return keyColumnSql(groupBy);
}

/** Every UTC day lies within one local day only where the zone's offset is 0 over the whole window. */
function hasUtcDays(calendar: ZoneCalendar): boolean {
  return calendar.segments.every((segment) => segment.offsetMs === 0);
}

/**
 * Responses, errors, timeouts, cost and tokens of the scope's responses per
 * group, from `response_rollup` (migration 004) and its sums per UTC day
 * (migration 019): whole fresh UTC days of the range from the day table, the
 * quarter-hours around them (a local day of most zones starts inside a UTC
 * day) and stale days from response_rollup, in one read transaction so that a
 * day rewritten meanwhile counts once. Grouped by local day, the day table
 * serves only zones whose days are UTC days; other zones read quarter-hours.
 *
 * Counts are integer sums, the same whichever rows add up to them. Cost and
 * tokens are TOTAL() per run of the range, the runs' sums added here with the
 * same compensation (total.ts): over quarter rows alone (no fresh day in the
 * range) that is the TOTAL() of those rows to the bit; with day sums among
 * the addends cost may differ from it in the last bits, far below the 6
 * decimals money is rounded to (tokens are whole numbers, exact up to 2^53).
 */
export function responseSums(db: Database.Database, scope: MetricScope, groupBy: ResponseGrouping): ResponseSums[] {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const keyFilters = rollupKeyFiltersSql(scope, { model: true, intent: true });
  const readsDays = groupBy !== 'day' || hasUtcDays(scope.calendar);
  const statementOf = (piece: DayPiece): { sql: string; params: Record<string, number> } =>
    piece.from === 'days'
      ? {
          sql: `SELECT ${keySql(scope, groupBy, `day * ${DAY_MS}`)} AS key, ${SUMS_SQL}
                  FROM ${RESPONSE_DAY_TABLES.days} WHERE day >= @from AND day < @to${keyFilters.sql} GROUP BY key`,
          params: { from: piece.startDay, to: piece.endDay },
        }
      : {
          sql: `SELECT ${keySql(scope, groupBy, `quarter * ${QUARTER_HOUR_MS}`)} AS key, ${SUMS_SQL}
                  FROM ${RESPONSE_DAY_TABLES.quarters} WHERE quarter >= @from AND quarter < @to${keyFilters.sql} GROUP BY key`,
          params: { from: piece.q0, to: piece.q1 },
        };
  const runs = db.transaction(() => {
    const pieces: DayPiece[] = readsDays ? dayPieces(db, RESPONSE_DAY_TABLES.stale, q0, q1) : [{ from: 'quarters', q0, q1 }];
    return pieces.map((piece) => {
      const { sql, params } = statementOf(piece);
      return db.prepare(sql).all({ ...params, ...keyFilters.params }) as ResponseSums[];
    });
  })();
  return combineRuns(runs);
}

/** Adds up the runs' groups per key, in key order as SQLite's GROUP BY gives them. */
function combineRuns(runs: readonly ResponseSums[][]): ResponseSums[] {
  if (runs.length === 1) return runs[0] ?? [];
  const groups = new Map<ResponseSums['key'], { sums: ResponseSums; totals: Total[] }>();
  for (const run of runs) {
    for (const row of run) {
      let group = groups.get(row.key);
      if (group === undefined) {
        group = { sums: { ...row }, totals: TOTALS.map(() => createTotal()) };
        groups.set(row.key, group);
      } else {
        for (const count of COUNTS) group.sums[count] += row[count];
      }
      TOTALS.forEach((total, index) => group.totals[index]?.add(row[total]));
    }
  }
  const combined = [...groups.values()].map(({ sums, totals }) => {
    TOTALS.forEach((total, index) => (sums[total] = totals[index]?.value() ?? 0));
    return sums;
  });
  return combined.sort((a, b) => compareKeys(a.key, b.key));
}

/** SQLite's order of GROUP BY keys of one column: NULL, then numbers, then text. */
function compareKeys(a: ResponseSums['key'], b: ResponseSums['key']): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : 1;
}
