import { z } from 'zod';
import { breakdownName, breakdownParam, groupByValue } from './breakdown.js';
import { csvFromRecords, type CsvCell } from './csv.js';
import { daysBetween, formatLocalDay } from './local-day.js';
import { defineMetric } from './metric-endpoint.js';
import type { MetricScope } from './metric-scope.js';
import type { DailyActiveUsers } from './metrics-source.js';
import { ratio } from './round.js';

/**
 * Active on a day = sent at least one prompt (`ai_user_prompt_created`) that
 * local day. DAU = active users of the day; WAU / MAU = distinct users active
 * on any of the 7 / 30 days ending on it (looking back before `from`);
 * stickiness = DAU / MAU (0 when MAU is 0).
 */
export function toActiveUsersSeries(rows: readonly DailyActiveUsers[]) {
  return rows.map((row) => ({
    date: formatLocalDay(row.day),
    dau: row.dau,
    wau: row.wau,
    mau: row.mau,
    stickiness: ratio(row.dau, row.mau),
  }));
}

/** Day by day, the activity of two sets of users together: with one value per user, the counts add up. */
export function addActivity(a: readonly DailyActiveUsers[], b: readonly DailyActiveUsers[]): DailyActiveUsers[] {
  return a.map((row, index) => {
    const other = b[index];
    return { day: row.day, dau: row.dau + (other?.dau ?? 0), wau: row.wau + (other?.wau ?? 0), mau: row.mau + (other?.mau ?? 0) };
  });
}

/** The activity of a value without active users: every day of the range at 0. */
export function emptyActivity(scope: MetricScope): DailyActiveUsers[] {
  return daysBetween(scope.fromDay, scope.toDay).map((day) => ({ day, dau: 0, wau: 0, mau: 0 }));
}

const COLUMNS = ['date', 'dau', 'wau', 'mau', 'stickiness'] as const;

/**
 * With `breakdown`, the same series for the users of each value (see
 * breakdown.ts): `groups` lists the top 10 values by users active in the
 * range, then `other`.
 */
export const activeUsersMetric = defineMetric({
  path: 'active-users',
  filters: [],
  params: z.object({ breakdown: breakdownParam.optional() }),
  async compute({ source, scope, params }) {
    if (params.breakdown !== undefined) {
      const breakdown = params.breakdown;
      const [users, activity] = await Promise.all([source.usersByValue(scope, breakdown), source.activeUsersByValue(scope, breakdown)]);
      const groups = groupByValue(breakdown, users, activity, addActivity, () => emptyActivity(scope)).map((group) => ({
        value: group.value,
        users: group.users,
        series: toActiveUsersSeries(group.rows),
      }));
      const rows = groups.flatMap((group) => csvFromRecords(COLUMNS, group.series).rows.map((row): CsvCell[] => [group.value, ...row]));
      return { body: { breakdown: breakdownName(breakdown), groups }, csv: { columns: ['value', ...COLUMNS], rows } };
    }
    const series = toActiveUsersSeries(await source.activeUsers(scope));
    return { body: { series }, csv: csvFromRecords(COLUMNS, series) };
  },
});
