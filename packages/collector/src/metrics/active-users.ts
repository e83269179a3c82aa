import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { formatLocalDay } from './local-day.js';
import { defineMetric } from './metric-endpoint.js';
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

export const activeUsersMetric = defineMetric({
  path: 'active-users',
  filters: [],
  params: z.object({}),
  async compute({ source, scope }) {
    const series = toActiveUsersSeries(await source.activeUsers(scope));
    return { body: { series }, csv: csvFromRecords(['date', 'dau', 'wau', 'mau', 'stickiness'], series) };
  },
});
