import { daysBetween, type LocalDay } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { Breakdown, BrokenDown, CohortActivity, CohortKind } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { trafficFilterSql } from '../traffic.js';
import { activeDays, daysByUser, pairsByValue, type ActiveDay } from './active-days.js';
import { promptQuartersSql } from './rollup-rows-sql.js';
import { localDaySql } from './zone-sql.js';

/**
 * Cohorts per day of the range and, per offset N, how many of them were
 * active on cohort day + N. `first_seen`: users whose first prompt ever
 * falls on the day. `active`: users with a prompt on the day.
 */
export async function retention(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  scope: MetricScope,
  cohort: CohortKind,
  offsets: readonly number[],
): Promise<CohortActivity[]> {
  const [pairs, firstDays] = await Promise.all([
    activeDays(connection, tables, scope, scope),
    cohort === 'first_seen' ? firstSeenDays(connection, tables, scope) : null,
  ]);
  return cohortsOfPairs(scope, offsets, pairs, firstDays);
}

export async function retentionByValue(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  scope: MetricScope,
  breakdown: Breakdown,
  cohort: CohortKind,
  offsets: readonly number[],
): Promise<BrokenDown<CohortActivity[]>[]> {
  const [pairs, firstDays] = await Promise.all([
    activeDays(connection, tables, scope, scope, breakdown),
    cohort === 'first_seen' ? firstSeenDays(connection, tables, scope) : null,
  ]);
  return [...pairsByValue(pairs)].map(([key, group]) => ({ key, rows: cohortsOfPairs(scope, offsets, group, firstDays) }));
}

/** Users whose first prompt ever (of the traffic the scope keeps) falls in the range, with its local day. */
async function firstSeenDays(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<Map<string, LocalDay>> {
  const prompts = promptQuartersSql(tables, trafficFilterSql(scope));
  const rows = await connection.rows<{ user_key: string; day: LocalDay }>(
    `SELECT user_key, ${localDaySql(scope.calendar, 'first_ts')} AS day
       FROM (SELECT user_key, min(ts) AS first_ts FROM (${prompts}) GROUP BY user_key)
      WHERE first_ts >= ${sqlValue(scope.startMs)} AND first_ts < ${sqlValue(scope.endMs)}`,
  );
  return new Map(rows.map((row) => [row.user_key, row.day]));
}

/**
 * Every day of the range as a cohort: its members (first seen that day, or
 * active that day when `firstDays` is null) and, per offset N with
 * day + N ≤ toDay, those of them active on day + N.
 */
function cohortsOfPairs(
  scope: MetricScope,
  offsets: readonly number[],
  pairs: readonly ActiveDay[],
  firstDays: ReadonlyMap<string, LocalDay> | null,
): CohortActivity[] {
  const sizes = new Map<LocalDay, number>();
  const retained = new Map<string, number>();
  for (const [user, days] of daysByUser(pairs)) {
    const active = new Set(days);
    const cohortDays = firstDays === null ? days : firstDays.has(user) ? [firstDays.get(user) as LocalDay] : [];
    for (const day of cohortDays) {
      // A first-seen member is active on their first day by definition (a prompt); size counts members active then.
      if (!active.has(day)) continue;
      sizes.set(day, (sizes.get(day) ?? 0) + 1);
      for (const offset of offsets) {
        if (offset > 0 && active.has(day + offset)) retained.set(`${day}:${offset}`, (retained.get(`${day}:${offset}`) ?? 0) + 1);
      }
    }
  }
  return daysBetween(scope.fromDay, scope.toDay).map((day) => {
    const counts = new Map<number, number>();
    for (const offset of offsets) if (day + offset <= scope.toDay) counts.set(offset, retained.get(`${day}:${offset}`) ?? 0);
    return { day, size: sizes.get(day) ?? 0, retained: counts };
  });
}
