import { DAY_MS } from '../../src/metrics/local-day.js';
import type { MetricScope } from '../../src/metrics/metric-scope.js';
import { ZoneCalendar } from '../../src/metrics/zone-calendar.js';

/**
 * The scope of local days [fromDay, toDay] in `timeZone`, ordinary traffic,
 * no filter, as a metric request would parse it: for tests that call the
 * engine's queries directly. The calendar covers the month before (MAU looks
 * back 29 days) and the day after.
 */
export function dayScope(timeZone: string, fromDay: number, toDay: number): MetricScope {
  const calendar = new ZoneCalendar(timeZone, (fromDay - 31) * DAY_MS, (toDay + 2) * DAY_MS);
  return {
    fromDay, toDay, startMs: calendar.startOfDay(fromDay), endMs: calendar.startOfDay(toDay + 1), calendar,
    includeDebug: false, includeBots: false, includeInternal: false, filters: {},
  };
}
