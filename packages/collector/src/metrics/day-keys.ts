import { daysBetween, formatLocalDay } from './local-day.js';
import type { MetricScope } from './metric-scope.js';

/**
 * Rows grouped by day for every day of the range, in order: days without
 * data get `empty(date)`, so charts have no holes.
 */
export function fillDays<T extends { key: string | null }>(scope: MetricScope, rows: readonly T[], empty: (date: string) => T): T[] {
  const byDate = new Map(rows.map((row) => [row.key, row]));
  return daysBetween(scope.fromDay, scope.toDay).map((day) => {
    const date = formatLocalDay(day);
    return byDate.get(date) ?? empty(date);
  });
}
