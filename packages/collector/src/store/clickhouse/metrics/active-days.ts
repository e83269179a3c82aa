import type { LocalDay } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { Breakdown } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { promptQuartersSql, quarterRangeSql } from './rollup-rows-sql.js';
import { userValuesSql } from './user-values-sql.js';
import { localDaySql } from './zone-sql.js';

/** A user with at least one prompt on a local day (and their breakdown value, when asked). */
export interface ActiveDay {
  user_key: string;
  day: LocalDay;
  value?: string | null;
}

/**
 * The distinct (user, local day) pairs with a prompt in [startMs, endMs):
 * the core of DAU/WAU/MAU and retention. Local days come from the scope's
 * calendar in SQL (a `multiIf` over its DST segments), so only the pairs
 * cross the network, never the prompts. Read from the prompt-activity
 * rollup (per user and quarter hour), not from the prompts themselves.
 */
export async function activeDays(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  scope: MetricScope,
  range: { startMs: number; endMs: number },
  breakdown?: Breakdown,
): Promise<ActiveDay[]> {
  const prompts = promptQuartersSql(tables, quarterRangeSql({ ...scope, ...range }));
  const pairs = `SELECT user_key, ${localDaySql(scope.calendar, 'ts')} AS day FROM (${prompts}) GROUP BY user_key, day`;
  if (breakdown === undefined) return connection.rows<ActiveDay>(pairs);
  return connection.rows<ActiveDay>(
    `SELECT user_key, day, value FROM (${pairs}) ANY LEFT JOIN (SELECT user_key, value FROM (${userValuesSql(tables, breakdown)})) USING user_key`,
  );
}

/** Days of each user, sorted and distinct. */
export function daysByUser(pairs: readonly ActiveDay[]): Map<string, LocalDay[]> {
  const byUser = new Map<string, LocalDay[]>();
  for (const { user_key: user, day } of pairs) {
    const days = byUser.get(user) ?? [];
    days.push(day);
    byUser.set(user, days);
  }
  for (const days of byUser.values()) days.sort((a, b) => a - b);
  return byUser;
}

/** Pairs split by breakdown value (users without one under null). */
export function pairsByValue(pairs: readonly ActiveDay[]): Map<string | null, ActiveDay[]> {
  const groups = new Map<string | null, ActiveDay[]>();
  for (const pair of pairs) {
    const key = pair.value ?? null;
    const group = groups.get(key) ?? [];
    group.push(pair);
    groups.set(key, group);
  }
  return groups;
}
