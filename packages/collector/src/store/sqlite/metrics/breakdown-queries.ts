import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { Breakdown, BrokenDown, CohortActivity, CohortKind, DailyActiveUsers, KeyedCount } from '../../../metrics/metrics-source.js';
import { activeDaysSql, activityQuarters, seriesFromSpans, spansCteSql, type Span } from './activity-queries.js';
import { cohortsOfCounts, firstSeenCohortSql, offsetListSql, type OffsetCount } from './retention-queries.js';
import { andTrafficSql, trafficSql } from '../traffic-flags.js';
import { QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

/**
 * The breakdown value of the users of `rows` (a row set with a `user_key`):
 * the channel of their first touch (migration 006), or the current value of a
 * trait (traits SQLite cannot read count as no value, as in cost by segment).
 */
function valueOfUser(breakdown: Breakdown, rows: string): { join: string; key: string; params: Record<string, string> } {
  if (breakdown.by === 'channel') {
    return { join: `LEFT JOIN user_first_touch t ON t.user_key = ${rows}.user_key`, key: 't.channel', params: {} };
  }
  return {
    join: `LEFT JOIN users u ON u.user_key = ${rows}.user_key`,
    key: `json_extract(CASE WHEN json_valid(u.traits) THEN u.traits END, @traitPath)`,
    params: { traitPath: `$."${breakdown.trait}"` },
  };
}

/** Trait values may be numbers or booleans in JSON; a breakdown value is text. */
function keyText(key: unknown): string | null {
  return key === null || key === undefined ? null : String(key);
}

/** Distinct users with a prompt in the range, per value. */
export function usersByValue(db: Database.Database, scope: MetricScope, breakdown: Breakdown): KeyedCount[] {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const value = valueOfUser(breakdown, 'a');
  const rows = db
    .prepare(
      `SELECT ${value.key} AS key, COUNT(*) AS count
         FROM (SELECT DISTINCT user_key FROM user_activity
                WHERE quarter >= @q0 AND quarter < @q1${andTrafficSql('debug', scope)}) a
         ${value.join}
        GROUP BY key`,
    )
    .all({ q0, q1, ...value.params }) as { key: unknown; count: number }[];
  return rows.map((row) => ({ key: keyText(row.key), count: row.count }));
}

/**
 * DAU/WAU/MAU per value: the spans of every user (as with include_debug, from
 * a window function over their active days) grouped by value as well.
 */
export function activeUsersByValue(db: Database.Database, scope: MetricScope, breakdown: Breakdown): BrokenDown<DailyActiveUsers[]>[] {
  const value = valueOfUser(breakdown, 's');
  const rows = db
    .prepare(
      `${spansCteSql(scope)}
       SELECT ${value.key} AS key, s.day, s.gap, COUNT(*) AS users FROM spans s ${value.join}
        GROUP BY key, s.day, s.gap`,
    )
    .all({ ...activityQuarters(scope), ...value.params }) as (Span & { key: unknown })[];
  return groupByKey(rows).map(({ key, rows: spans }) => ({ key, rows: seriesFromSpans(scope, spans) }));
}

/** Cohorts per value: as retention-queries.ts, with each cohort member's value. */
export function retentionByValue(
  db: Database.Database,
  scope: MetricScope,
  breakdown: Breakdown,
  cohort: CohortKind,
  offsets: readonly number[],
): BrokenDown<CohortActivity[]>[] {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const offsetList = offsetListSql(scope, offsets);
  const value = valueOfUser(breakdown, 'c');
  const cohortSql = cohort === 'first_seen' ? firstSeenCohortSql(scope) : `SELECT user_key, day FROM active_days`;
  const activityDay = localDaySql(scope.calendar, `a.quarter * ${QUARTER_HOUR_MS}`);
  const rows = db
    .prepare(
      `WITH active_days AS MATERIALIZED (${activeDaysSql(scope)}),
            cohort AS MATERIALIZED (${cohortSql})
       SELECT ${value.key} AS key, c.day, ${activityDay} - c.day AS offset, COUNT(DISTINCT c.user_key) AS users
         FROM cohort c
         JOIN user_activity a ON a.user_key = c.user_key AND ${trafficSql('a.debug', scope)} AND a.quarter >= @q0 AND a.quarter < @q1
         ${value.join}
        WHERE ${activityDay} - c.day IN (${offsetList})
        GROUP BY key, c.day, offset`,
    )
    .all({ q0, q1, start: scope.startMs, end: scope.endMs, ...value.params }) as (OffsetCount & { key: unknown })[];
  return groupByKey(rows).map(({ key, rows: counts }) => ({ key, rows: cohortsOfCounts(scope, offsets, counts) }));
}

function groupByKey<T extends { key: unknown }>(rows: readonly T[]): BrokenDown<T[]>[] {
  const groups = new Map<string | null, T[]>();
  for (const row of rows) {
    const key = keyText(row.key);
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  return [...groups].map(([key, group]) => ({ key, rows: group }));
}
