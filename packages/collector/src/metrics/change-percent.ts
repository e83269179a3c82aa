import { roundTo } from './round.js';

/**
 * Change against the previous period of the same length, in percent of the
 * previous value (1 decimal, + is up); null when the previous value is 0.
 */
export function changePercent(current: number, previous: number): number | null {
  return previous === 0 ? null : roundTo((100 * (current - previous)) / previous, 1);
}
