import type { LocalDay } from './local-day.js';
import type { ZoneCalendar } from './zone-calendar.js';

/**
 * Filters a metric may narrow to. `null` selects events without a value:
 * `intent=unclassified` → intent IS NULL, `model=unknown` → model IS NULL.
 */
export interface MetricFilters {
  model?: string | null;
  intent?: string | null;
  conversationId?: string;
}

/** What every metric query is about: a range of local days in one zone. */
export interface MetricScope {
  /** First and last local day of the range, inclusive. */
  fromDay: LocalDay;
  toDay: LocalDay;
  /** [startMs, endMs): from the first instant of `fromDay` to the first instant after `toDay`. */
  startMs: number;
  endMs: number;
  /** Covers at least 30 days before `fromDay` (for MAU look-back) through `toDay`. */
  calendar: ZoneCalendar;
  /** Debug-mode events are left out unless asked for. */
  includeDebug: boolean;
  filters: MetricFilters;
}
