import { AI_EVENT } from '../../../protocol/index.js';
import { eventCodeSql } from '../vocabulary-codes.js';

/** The AI events' codes as SQL literals, compared with `event_code` (vocabulary-codes.ts says why inlined). */
export const PROMPT_CODE = eventCodeSql(AI_EVENT.promptCreated);
export const RESPONSE_CODE = eventCodeSql(AI_EVENT.responseReceived);
export const ACTION_CODE = eventCodeSql(AI_EVENT.userAction);

/** Granularity of the `user_activity` rollup (see migration 003). */
export const QUARTER_HOUR_MS = 900_000;

/** The rollup quarters covering [startMs, endMs). Day boundaries fall on quarter-hours in every zone in use. */
export function quarterRange(startMs: number, endMs: number): { q0: number; q1: number } {
  return { q0: Math.floor(startMs / QUARTER_HOUR_MS), q1: Math.ceil(endMs / QUARTER_HOUR_MS) };
}

/**
 * `INDEXED BY` for a range of one kind of event: `events_ts`, whose entries
 * hold the event code beside the time (migration 039), or migration 003's
 * covering `events_feedback_turn_metrics`. Without it, on a large table the
 * planner may walk another index and read every wide event row of the range
 * (measured: 10 s instead of a few hundred ms on 10M events). A conversation
 * filter is better served by the conversation's own index of each kind
 * (`events_turn_intent`, `events_response_turn`, `events_action_turn`), so
 * then the planner chooses.
 */
export function rangeIndex(index: string, conversationFilter: string | undefined): string {
  return conversationFilter === undefined ? ` INDEXED BY ${index}` : '';
}
