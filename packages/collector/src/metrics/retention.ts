import { z } from 'zod';
import { breakdownName, breakdownParam, groupByValue } from './breakdown.js';
import { cohortsByWeek, poolCohorts, type PooledCohort } from './cohort-weeks.js';
import type { CsvCell } from './csv.js';
import { daysBetween, formatLocalDay } from './local-day.js';
import { defineMetric } from './metric-endpoint.js';
import type { MetricScope } from './metric-scope.js';
import type { CohortActivity } from './metrics-source.js';
import { percentage } from './round.js';

/** Offsets are days after the cohort day; a year is the longest that makes sense. */
const MAX_OFFSET = 365;
const MAX_OFFSETS = 10;
export const DEFAULT_RETENTION_DAYS: readonly number[] = [1, 7, 30];
/** Up to five weeks a row per day stays readable; longer ranges default to a row per week. */
export const DAILY_COHORTS_MAX_DAYS = 35;

const offsetsParam = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'must be comma-separated whole numbers of days, e.g. 1,7,30')
  .transform((text) => [...new Set(text.split(',').map(Number))])
  .refine((offsets) => offsets.every((offset) => offset >= 1 && offset <= MAX_OFFSET), `every day must be 1–${MAX_OFFSET}`)
  .refine((offsets) => offsets.length <= MAX_OFFSETS, `at most ${MAX_OFFSETS} days`);

/**
 * Day-N retention: the share (0–100, 1 decimal) of the cohort that is active
 * (sent a prompt) exactly on cohort day + N; null when that day is after `to`,
 * since it has not been observed yet; 0 for an empty cohort. For a pooled
 * cohort (a week, the summary) only the cohorts observed on day N count, in
 * the numerator and the denominator: the average of their rates weighted by
 * cohort size; null when those cohorts have no users.
 */
export function retentionRates(cohort: CohortActivity | PooledCohort, offsets: readonly number[]): Record<string, number | null> {
  const rates: Record<string, number | null> = {};
  for (const offset of offsets) {
    const retained = cohort.retained.get(offset);
    if (retained === undefined) rates[String(offset)] = null;
    else if (!('observedSize' in cohort)) rates[String(offset)] = percentage(retained, cohort.size);
    else {
      // A pooled rate of no users would be a made-up 0 %: nothing was measured.
      const size = cohort.observedSize.get(offset) ?? 0;
      rates[String(offset)] = size === 0 ? null : percentage(retained, size);
    }
  }
  return rates;
}

/** Cohort rows (per day or ISO week) and the summary row pooling every cohort of the range. */
function describeCohorts(activity: readonly CohortActivity[], fromDay: number, offsets: readonly number[], period: 'day' | 'week') {
  const rows = period === 'week' ? cohortsByWeek(activity) : activity;
  const cohorts = rows.map((cohort) => ({
    date: formatLocalDay(cohort.day),
    size: cohort.size,
    retention: retentionRates(cohort, offsets),
  }));
  const pooled = poolCohorts(fromDay, activity);
  return { cohorts, summary: { size: pooled.size, retention: retentionRates(pooled, offsets) } };
}

/** Day by day, the cohorts of two sets of users together (both cover the same days of the range). */
export function addCohorts(a: readonly CohortActivity[], b: readonly CohortActivity[]): CohortActivity[] {
  return a.map((cohort, index) => {
    const other = b[index];
    const retained = new Map(cohort.retained);
    for (const [offset, count] of other?.retained ?? []) retained.set(offset, (retained.get(offset) ?? 0) + count);
    return { day: cohort.day, size: cohort.size + (other?.size ?? 0), retained };
  });
}

/** The cohorts of a value without users: every day of the range, size 0, 0 retained on each observed day N. */
export function emptyCohorts(scope: MetricScope, offsets: readonly number[]): CohortActivity[] {
  return daysBetween(scope.fromDay, scope.toDay).map((day) => ({
    day,
    size: 0,
    retained: new Map(offsets.filter((offset) => day + offset <= scope.toDay).map((offset) => [offset, 0])),
  }));
}

/**
 * With `breakdown`, the same cohort table and summary for the users of each
 * value (see breakdown.ts): `groups` lists the top 10 values by users active
 * in the range, then `other`.
 */
export const retentionMetric = defineMetric({
  path: 'retention',
  filters: [],
  params: z.object({
    cohort: z.enum(['first_seen', 'active'], { error: 'must be first_seen or active' }).default('first_seen'),
    days: offsetsParam.default([...DEFAULT_RETENTION_DAYS]),
    cohort_period: z.enum(['day', 'week'], { error: 'must be day or week' }).optional(),
    breakdown: breakdownParam.optional(),
  }),
  async compute({ source, scope, params }) {
    const offsets = [...params.days].sort((a, b) => a - b);
    const period = params.cohort_period ?? (scope.toDay - scope.fromDay + 1 > DAILY_COHORTS_MAX_DAYS ? 'week' : 'day');
    const csvRow = (date: string, size: number, retention: Record<string, number | null>): CsvCell[] => [
      date, size, ...offsets.map((offset) => retention[String(offset)] ?? null),
    ];
    const columns = [period === 'week' ? 'week' : 'date', 'size', ...offsets.map((offset) => `day_${offset}`)];
    const tableRows = (table: ReturnType<typeof describeCohorts>): CsvCell[][] => [
      ...table.cohorts.map((cohort) => csvRow(cohort.date, cohort.size, cohort.retention)),
      csvRow('all', table.summary.size, table.summary.retention),
    ];
    if (params.breakdown !== undefined) {
      const breakdown = params.breakdown;
      const [users, activity] = await Promise.all([
        source.usersByValue(scope, breakdown),
        source.retentionByValue(scope, breakdown, params.cohort, offsets),
      ]);
      const groups = groupByValue(breakdown, users, activity, addCohorts, () => emptyCohorts(scope, offsets)).map((group) => ({
        value: group.value,
        users: group.users,
        ...describeCohorts(group.rows, scope.fromDay, offsets, period),
      }));
      return {
        body: { cohort_period: period, breakdown: breakdownName(breakdown), groups },
        csv: {
          columns: ['value', ...columns],
          rows: groups.flatMap((group) => tableRows(group).map((row): CsvCell[] => [group.value, ...row])),
        },
      };
    }
    const activity = await source.retention(scope, params.cohort, offsets);
    const table = describeCohorts(activity, scope.fromDay, offsets, period);
    return {
      body: { cohort_period: period, ...table },
      csv: { columns, rows: tableRows(table) },
    };
  },
});
