import type { EventRecord } from '../event-record.js';

/**
 * Kinds of traffic metrics leave out unless asked, as bits of the events'
 * `traffic` column, so that a scope's exclusions are one `bitAnd(traffic, mask) = 0`.
 * Bot (2) and internal (4) traffic are reserved for the flags to come.
 */
export const TRAFFIC_DEBUG = 1;

/** The `traffic` bits of one event. */
export function trafficOf(record: Pick<EventRecord, 'debug'>): number {
  return record.debug ? TRAFFIC_DEBUG : 0;
}

/** The bits a scope leaves out: debug traffic unless `includeDebug`. */
export function excludedTraffic(scope: { includeDebug: boolean }): number {
  return scope.includeDebug ? 0 : TRAFFIC_DEBUG;
}

/** SQL condition: the row's traffic is none of what the scope leaves out. */
export function trafficFilterSql(scope: { includeDebug: boolean }, column = 'traffic'): string {
  const mask = excludedTraffic(scope);
  return mask === 0 ? '1' : `bitAnd(${column}, ${mask}) = 0`;
}
