import type Database from 'better-sqlite3';
import { daysBetween } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { CohortActivity, CohortKind } from '../../../metrics/metrics-queries.js';
import { activeDaysSql } from './activity-queries.js';
import { QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

/**
 * Cohorts per day of the range and, per offset N, how many of them were
 * active on cohort day + N. `first_seen`: users whose first prompt ever falls
 * on the day. `active`: users with a prompt on the day.
 */
export function retention(
  db: Database.Database,
  scope: MetricScope,
  cohort: CohortKind,
  offsets: readonly number[],
): CohortActivity[] {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const params = { q0, q1, start: scope.startMs, end: scope.endMs };
  const wanted = [0, ...offsets.filter((offset) => offset > 0 && offset <= scope.toDay - scope.fromDay)];
  const offsetList = [...new Set(wanted)].map((offset) => String(Math.trunc(offset))).join(', ');
  const counts =
    cohort === 'first_seen'
      ? firstSeenCounts(db, scope, offsetList, params)
      : activeCohortCounts(db, scope, offsetList, params);

  const byDay = new Map<number, Map<number, number>>();
  for (const { day, offset, users } of counts) {
    const retained = byDay.get(day) ?? new Map<number, number>();
    retained.set(offset, users);
    byDay.set(day, retained);
  }
  return daysBetween(scope.fromDay, scope.toDay).map((day) => {
    const found = byDay.get(day) ?? new Map<number, number>();
    const retained = new Map<number, number>();
    for (const offset of offsets) if (day + offset <= scope.toDay) retained.set(offset, found.get(offset) ?? 0);
    return { day, size: found.get(0) ?? 0, retained };
  });
}

interface OffsetCount {
  day: number;
  offset: number;
  users: number;
}

function firstSeenCounts(
  db: Database.Database,
  scope: MetricScope,
  offsetList: string,
  params: Record<string, unknown>,
): OffsetCount[] {
  const firstColumn = scope.includeDebug ? 'first_any_ts' : 'first_ts';
  const activityDay = localDaySql(scope.calendar, `a.quarter * ${QUARTER_HOUR_MS}`);
  return db
    .prepare(
      `WITH cohort AS MATERIALIZED (
         SELECT user_key, ${localDaySql(scope.calendar, firstColumn)} AS day
           FROM user_first_activity
          WHERE ${firstColumn} >= @start AND ${firstColumn} < @end)
       SELECT c.day, ${activityDay} - c.day AS offset, COUNT(DISTINCT c.user_key) AS users
         FROM cohort c
         JOIN user_activity a ON a.user_key = c.user_key AND a.debug IN (${scope.includeDebug ? '0, 1' : '0'})
                             AND a.quarter >= @q0 AND a.quarter < @q1
        WHERE ${activityDay} - c.day IN (${offsetList})
        GROUP BY c.day, offset`,
    )
    .all(params) as OffsetCount[];
}

function activeCohortCounts(
  db: Database.Database,
  scope: MetricScope,
  offsetList: string,
  params: Record<string, unknown>,
): OffsetCount[] {
  // "later.day IN (a.day + 1, …)" rather than a difference, so that the join can seek (user_key, day).
  const laterDays = offsetList
    .split(', ')
    .map((offset) => `a.day + ${offset}`)
    .join(', ');
  return db
    .prepare(
      `WITH active_days AS MATERIALIZED (${activeDaysSql(scope)})
       SELECT a.day, later.day - a.day AS offset, COUNT(*) AS users
         FROM active_days a
         JOIN active_days later ON later.user_key = a.user_key AND later.day IN (${laterDays})
        GROUP BY a.day, offset`,
    )
    .all(params) as OffsetCount[];
}
