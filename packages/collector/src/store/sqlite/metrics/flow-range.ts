import { CROSS_DAY_TRANSITION_SQL } from '../migrations/044-cross-day-flow-index.js';

/** Quarter-hours per UTC day: a quarter's UTC day is quarter / 96 (both count from the epoch). */
export const QUARTERS_PER_DAY = 96;

/**
 * A range of quarters [q0, q1) as its whole UTC days [d0, d1) and the
 * quarters before them [q0, headEnd) and after them [tailStart, q1). A range
 * without a whole UTC day (a local day in most zones) is all head: d0 = d1,
 * headEnd = tailStart = q1.
 */
export interface FlowRange {
  q0: number;
  q1: number;
  headEnd: number;
  d0: number;
  d1: number;
  tailStart: number;
}

/** Splits [q0, q1) into whole UTC days and the quarters at either end (see FlowRange). */
export function splitFlowRange(q0: number, q1: number): FlowRange {
  const d0 = Math.ceil(q0 / QUARTERS_PER_DAY);
  const d1 = Math.floor(q1 / QUARTERS_PER_DAY);
  if (d0 >= d1) return { q0, q1, headEnd: q1, d0: 0, d1: 0, tailStart: q1 };
  return { q0, q1, headEnd: d0 * QUARTERS_PER_DAY, d0, d1, tailStart: d1 * QUARTERS_PER_DAY };
}

/**
 * Transitions of one chain (`@withDebug`) with both prompts in [q0, q1), as
 * rows (from_intent, to_intent, transitions) to be summed; bind a FlowRange
 * and withDebug. Four disjoint parts, by where the later prompt lies:
 * - in a whole day, the earlier one too: `intent_flow_days` (from_day ≥ d0);
 * - in a whole day, the earlier one in the head: by the earlier prompt's quarter (≤ 95 quarters), from
 *   `intent_flow_rollup_by_from`, which holds only transitions across a UTC day (it is read only when the
 *   query names its term, CROSS_DAY_TRANSITION_SQL);
 * - in the head, or in the tail: `intent_flow_rollup` by the later prompt's quarter (≤ 95 quarters each).
 * Every part reads rows of at most the range's days or 95 quarters, however many events there are.
 */
export const TRANSITIONS_IN_RANGE_SQL = `
  SELECT from_intent, to_intent, transitions FROM intent_flow_days
   WHERE with_debug = @withDebug AND to_day >= @d0 AND to_day < @d1 AND from_day >= @d0
  UNION ALL
  SELECT from_intent, to_intent, transitions FROM intent_flow_rollup INDEXED BY intent_flow_rollup_by_from
   WHERE with_debug = @withDebug AND from_quarter >= @q0 AND from_quarter < @headEnd
     AND to_quarter >= @d0 * ${QUARTERS_PER_DAY} AND to_quarter < @d1 * ${QUARTERS_PER_DAY} AND ${CROSS_DAY_TRANSITION_SQL}
  UNION ALL
  SELECT from_intent, to_intent, transitions FROM intent_flow_rollup
   WHERE with_debug = @withDebug AND to_quarter >= @q0 AND to_quarter < @headEnd AND from_quarter >= @q0
  UNION ALL
  SELECT from_intent, to_intent, transitions FROM intent_flow_rollup
   WHERE with_debug = @withDebug AND to_quarter >= @tailStart AND to_quarter < @q1 AND from_quarter >= @q0`;
