import { z } from 'zod';
import type { CsvCell } from './csv.js';
import { defineMetric } from './metric-endpoint.js';
import type { QuarterHourCount } from './metrics-source.js';
import type { ZoneCalendar } from './zone-calendar.js';

/** Row order of the matrix: ISO weekdays, Monday first. */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
/** 1970-01-01, day 0, was a Thursday: index 3 when Monday is 0. */
const EPOCH_WEEKDAY = 3;

/**
 * Prompts by local weekday (row 0 = Monday … 6 = Sunday) and local hour
 * (column 0–23). The engine counts per UTC quarter-hour; each quarter-hour
 * lies in one local hour of any zone, so bucketing here is exact.
 */
export function promptMatrix(calendar: ZoneCalendar, counts: readonly QuarterHourCount[]): number[][] {
  const matrix = WEEKDAYS.map(() => new Array<number>(24).fill(0));
  for (const { startMs, prompts } of counts) {
    const weekday = (((calendar.dayOf(startMs) + EPOCH_WEEKDAY) % 7) + 7) % 7;
    const row = matrix[weekday] as number[];
    const hour = calendar.hourOf(startMs);
    row[hour] = (row[hour] ?? 0) + prompts;
  }
  return matrix;
}

export const peakHoursMetric = defineMetric({
  path: 'peak-hours',
  filters: ['intent', 'conversation_id'],
  params: z.object({}),
  async compute({ source, scope }) {
    const matrix = promptMatrix(scope.calendar, await source.promptsByQuarterHour(scope));
    const hours = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, '0'));
    const rows = matrix.map((counts, weekday): CsvCell[] => [weekday, WEEKDAYS[weekday] ?? '', ...counts]);
    return { body: { matrix }, csv: { columns: ['weekday', 'name', ...hours], rows } };
  },
});
