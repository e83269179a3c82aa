import type { TrafficInclusion } from '../../metrics/metric-scope.js';
import type { EventRecord } from '../event-record.js';

/**
 * Kinds of traffic metrics leave out unless asked, as bits of the events'
 * `traffic` column, so that a scope's exclusions are one `bitAnd(traffic, mask) = 0`.
 * The same bits as the SQLite engine's flags column (sqlite/traffic-flags.ts).
 */
export const TRAFFIC_DEBUG = 1;
export const TRAFFIC_BOT = 2;
export const TRAFFIC_INTERNAL = 4;

/** The flags that belong to a user rather than to one event (debug mode is per event): they stick to the user's later events. */
export const USER_TRAFFIC_BITS = TRAFFIC_BOT | TRAFFIC_INTERNAL;

/** The `traffic` bits of one event, as ingest classified it (before the user's sticky flags are added). */
export function trafficOf(record: Pick<EventRecord, 'debug' | 'bot' | 'internal'>): number {
  // `=== true`: records built by plain-JS callers (bench/) may lack the newer fields.
  return (record.debug ? TRAFFIC_DEBUG : 0) | (record.bot === true ? TRAFFIC_BOT : 0) | (record.internal === true ? TRAFFIC_INTERNAL : 0);
}

/** The bits a scope leaves out: each kind unless its include flag is set. */
export function excludedTraffic(scope: TrafficInclusion): number {
  return (scope.includeDebug ? 0 : TRAFFIC_DEBUG) | (scope.includeBots ? 0 : TRAFFIC_BOT) | (scope.includeInternal ? 0 : TRAFFIC_INTERNAL);
}

/** SQL condition: the row's traffic is none of what the scope leaves out. */
export function trafficFilterSql(scope: TrafficInclusion, column = 'traffic'): string {
  const mask = excludedTraffic(scope);
  return mask === 0 ? '1' : `bitAnd(${column}, ${mask}) = 0`;
}
