import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { BrokenDown, Breakdown, DailyActiveUsers } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { activeDays, daysByUser, pairsByValue, type ActiveDay } from './active-days.js';

/** WAU and MAU windows, in days ending on (and including) the day itself. */
const WEEK_DAYS = 7;
const MONTH_DAYS = 30;

/** DAU/WAU/MAU per day of the range; MAU of `fromDay` looks 29 days back. */
export async function activeUsers(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<DailyActiveUsers[]> {
  return seriesOfPairs(scope, await activeDays(connection, tables, scope, lookbackRange(scope)));
}

export async function activeUsersByValue(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  scope: MetricScope,
  breakdown: Breakdown,
): Promise<BrokenDown<DailyActiveUsers[]>[]> {
  const pairs = await activeDays(connection, tables, scope, lookbackRange(scope), breakdown);
  return [...pairsByValue(pairs)].map(([key, group]) => ({ key, rows: seriesOfPairs(scope, group) }));
}

function lookbackRange(scope: MetricScope): { startMs: number; endMs: number } {
  return { startMs: scope.calendar.startOfDay(scope.fromDay - (MONTH_DAYS - 1)), endMs: scope.endMs };
}

/**
 * DAU = users active on the day; WAU/MAU = users active on any of the 7/30
 * days ending on it. Each active day of a user keeps them counted until
 * their next active day or until the window runs out, summed with
 * difference arrays over the look-back and the range.
 */
export function seriesOfPairs(scope: MetricScope, pairs: readonly ActiveDay[]): DailyActiveUsers[] {
  const lookbackDay = scope.fromDay - (MONTH_DAYS - 1);
  const length = scope.toDay - lookbackDay + 1;
  const dau = new Array<number>(length).fill(0);
  const wauDelta = new Array<number>(length + MONTH_DAYS + 1).fill(0);
  const mauDelta = new Array<number>(length + MONTH_DAYS + 1).fill(0);
  for (const days of daysByUser(pairs).values()) {
    days.forEach((day, position) => {
      const index = day - lookbackDay;
      if (index < 0 || index >= length) return;
      const next = days[position + 1];
      const gap = next === undefined ? MONTH_DAYS : Math.min(next - day, MONTH_DAYS);
      dau[index] = (dau[index] ?? 0) + 1;
      addSpan(wauDelta, index, Math.min(gap, WEEK_DAYS));
      addSpan(mauDelta, index, gap);
    });
  }
  const series: DailyActiveUsers[] = [];
  let wau = 0;
  let mau = 0;
  for (let index = 0; index < length; index += 1) {
    wau += wauDelta[index] ?? 0;
    mau += mauDelta[index] ?? 0;
    const day = lookbackDay + index;
    if (day >= scope.fromDay) series.push({ day, dau: dau[index] ?? 0, wau, mau });
  }
  return series;
}

function addSpan(delta: number[], index: number, days: number): void {
  delta[index] = (delta[index] ?? 0) + 1;
  delta[index + days] = (delta[index + days] ?? 0) - 1;
}
