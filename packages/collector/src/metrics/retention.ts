import { z } from 'zod';
import type { CsvCell } from './csv.js';
import { formatLocalDay } from './local-day.js';
import { defineMetric } from './metric-endpoint.js';
import type { CohortActivity } from './metrics-source.js';
import { percentage } from './round.js';

/** Offsets are days after the cohort day; a year is the longest that makes sense. */
const MAX_OFFSET = 365;
const MAX_OFFSETS = 10;
export const DEFAULT_RETENTION_DAYS: readonly number[] = [1, 7, 30];

const offsetsParam = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'must be comma-separated whole numbers of days, e.g. 1,7,30')
  .transform((text) => [...new Set(text.split(',').map(Number))])
  .refine((offsets) => offsets.every((offset) => offset >= 1 && offset <= MAX_OFFSET), `every day must be 1–${MAX_OFFSET}`)
  .refine((offsets) => offsets.length <= MAX_OFFSETS, `at most ${MAX_OFFSETS} days`);

/**
 * Day-N retention: the share (0–100, 1 decimal) of the cohort that is active
 * (sent a prompt) exactly on cohort day + N; null when that day is after `to`,
 * since it has not been observed yet.
 */
export function retentionRates(cohort: CohortActivity, offsets: readonly number[]): Record<string, number | null> {
  const rates: Record<string, number | null> = {};
  for (const offset of offsets) {
    const retained = cohort.retained.get(offset);
    rates[String(offset)] = retained === undefined ? null : percentage(retained, cohort.size);
  }
  return rates;
}

export const retentionMetric = defineMetric({
  path: 'retention',
  filters: [],
  params: z.object({
    cohort: z.enum(['first_seen', 'active'], { error: 'must be first_seen or active' }).default('first_seen'),
    days: offsetsParam.default([...DEFAULT_RETENTION_DAYS]),
  }),
  async compute({ source, scope, params }) {
    const offsets = [...params.days].sort((a, b) => a - b);
    const activity = await source.retention(scope, params.cohort, offsets);
    const cohorts = activity.map((cohort) => ({
      date: formatLocalDay(cohort.day),
      size: cohort.size,
      retention: retentionRates(cohort, offsets),
    }));
    const rows = cohorts.map((cohort): CsvCell[] => [cohort.date, cohort.size, ...offsets.map((offset) => cohort.retention[String(offset)] ?? null)]);
    return { body: { cohorts }, csv: { columns: ['date', 'size', ...offsets.map((offset) => `day_${offset}`)], rows } };
  },
});
