import type { TrafficInclusion } from '../../metrics/metric-scope.js';

/**
 * The bits of the events' `debug` column and of every rollup keyed by it.
 * The column is named for its first flag (debug mode, migration 001); bot and
 * internal traffic joined it (migration 007) so that every rollup keeps the
 * three apart without a new key column. 0 = a real user's ordinary traffic,
 * the only kind a metric counts by default.
 */
export const TRAFFIC_BIT = { debug: 1, bot: 2, internal: 4 } as const;

const ALL_BITS = TRAFFIC_BIT.debug | TRAFFIC_BIT.bot | TRAFFIC_BIT.internal;

export function trafficBits(traffic: { debug: boolean; bot: boolean; internal: boolean }): number {
  return (traffic.debug ? TRAFFIC_BIT.debug : 0) | (traffic.bot ? TRAFFIC_BIT.bot : 0) | (traffic.internal ? TRAFFIC_BIT.internal : 0);
}

/** The bits a query leaves out. */
export function excludedTrafficBits(inclusion: TrafficInclusion): number {
  return (
    (inclusion.includeDebug ? 0 : TRAFFIC_BIT.debug) |
    (inclusion.includeBots ? 0 : TRAFFIC_BIT.bot) |
    (inclusion.includeInternal ? 0 : TRAFFIC_BIT.internal)
  );
}

/**
 * Which rollup shape answers a query exactly: `ordinary` (the default: only
 * rows with no flag, where per-flag chains and first-prompt columns exist),
 * `all` (nothing left out: the chains and columns over every row), or
 * `mixed` (some flags in, some out: rows merged with `trafficSql`).
 */
export function trafficView(inclusion: TrafficInclusion): 'ordinary' | 'all' | 'mixed' {
  const excluded = excludedTrafficBits(inclusion);
  if (excluded === ALL_BITS) return 'ordinary';
  return excluded === 0 ? 'all' : 'mixed';
}

/** The condition on a flags column (`debug`, `e.debug`…) that keeps the traffic a query counts; `1` when it counts all. */
export function trafficSql(column: string, inclusion: TrafficInclusion): string {
  const excluded = excludedTrafficBits(inclusion);
  if (excluded === 0) return '1';
  return excluded === ALL_BITS ? `${column} = 0` : `(${column} & ${excluded}) = 0`;
}

/** `trafficSql` as ` AND …`, empty when the query counts all traffic. */
export function andTrafficSql(column: string, inclusion: TrafficInclusion): string {
  const condition = trafficSql(column, inclusion);
  return condition === '1' ? '' : ` AND ${condition}`;
}
