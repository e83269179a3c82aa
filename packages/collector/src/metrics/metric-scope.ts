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

/**
 * Traffic that is not a real user's ordinary use, left out unless asked for:
 * debug-mode events, bots (crawler user agents, automated browsers) and
 * internal users (ingest/traffic-class.ts).
 */
export interface TrafficInclusion {
  includeDebug: boolean;
  includeBots: boolean;
  includeInternal: boolean;
}

/** What every metric query is about: a range of local days in one zone. */
export interface MetricScope extends TrafficInclusion {
  /** First and last local day of the range, inclusive. */
  fromDay: LocalDay;
  toDay: LocalDay;
  /** [startMs, endMs): from the first instant of `fromDay` to the first instant after `toDay`. */
  startMs: number;
  endMs: number;
  /** Covers at least 30 days before `fromDay` (for MAU look-back) through `toDay`. */
  calendar: ZoneCalendar;
  filters: MetricFilters;
}
