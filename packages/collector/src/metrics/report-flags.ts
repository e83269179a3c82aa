import type { AiHealth } from './ai-health.js';

export type FlagStatus = 'healthy' | 'warning' | 'info';

export interface ReportFlag {
  metric: string;
  value: number | null;
  status: FlagStatus;
  reference: string;
}

export interface FlagInputs {
  stickiness: number;
  retentionDay1: number | null;
  retentionDay7: number | null;
  sessions: number;
  singlePromptShare: number;
  avgMessages: number;
  avgDurationSeconds: number;
  /** chatmeter_sdk_health reports in the range, and the events they say were dropped. */
  deliveryReports: number;
  droppedEvents: number;
}

/** Any event the SDK had to drop is lost data: the delivery flag turns to a warning above this many. */
export const DROPPED_EVENTS_THRESHOLD = 0;

/**
 * Reads the report's numbers against published references for support bots:
 * day-1 retention 30–40 % (below 15 % is a warning), day-7 15–25 %,
 * stickiness 0.1–0.2, 6–10 messages and 3–5 minutes per session, and at most
 * half of the sessions in which the user sent one prompt and left; and no event dropped by the
 * SDK (delivery health reports). `info` = outside the
 * reference without being alarming, or not enough data to say.
 */
export function evaluateFlags(inputs: FlagInputs): ReportFlag[] {
  const noSessions = inputs.sessions === 0;
  return [
    {
      metric: 'retention_d1',
      value: inputs.retentionDay1,
      status: inputs.retentionDay1 === null ? 'info' : inputs.retentionDay1 < 15 ? 'warning' : inputs.retentionDay1 >= 30 ? 'healthy' : 'info',
      reference: 'day-1 retention of support bots is 30–40%; below 15% is a warning',
    },
    {
      metric: 'retention_d7',
      value: inputs.retentionDay7,
      status: inputs.retentionDay7 === null ? 'info' : inputs.retentionDay7 >= 15 ? 'healthy' : 'info',
      reference: 'day-7 retention of support bots is 15–25%',
    },
    {
      metric: 'stickiness',
      value: inputs.stickiness,
      status: inputs.stickiness >= 0.1 ? 'healthy' : 'info',
      reference: 'DAU/MAU of 0.1–0.2 is healthy for a support bot (above is better)',
    },
    {
      metric: 'single_prompt_share',
      value: inputs.singlePromptShare,
      status: noSessions ? 'info' : inputs.singlePromptShare > 0.5 ? 'warning' : 'healthy',
      reference: 'more than half of the sessions having a single prompt (the user asked once and left) is a warning',
    },
    {
      metric: 'avg_messages',
      value: inputs.avgMessages,
      status: !noSessions && inputs.avgMessages >= 6 && inputs.avgMessages <= 10 ? 'healthy' : 'info',
      reference: 'support-bot sessions have 6–10 messages',
    },
    {
      metric: 'avg_duration_seconds',
      value: inputs.avgDurationSeconds,
      status: !noSessions && inputs.avgDurationSeconds >= 180 && inputs.avgDurationSeconds <= 300 ? 'healthy' : 'info',
      reference: 'support-bot sessions last 3–5 minutes (180–300 s)',
    },
    {
      metric: 'delivery_dropped',
      value: inputs.droppedEvents,
      status: inputs.droppedEvents > DROPPED_EVENTS_THRESHOLD ? 'warning' : inputs.deliveryReports === 0 ? 'info' : 'healthy',
      reference: `events dropped by the SDK (queue full or rejected): more than ${DROPPED_EVENTS_THRESHOLD} in the range is a warning`,
    },
  ];
}

/** A p95 latency this much higher (percent) than over the 7 days before the range is a regression. */
export const LATENCY_REGRESSION_THRESHOLD = 20;
/** Above this share of failed responses (errors + timeouts, 0–1) users notice: 1 in 20. */
export const ERROR_RATE_THRESHOLD = 0.05;
/** A cost per conversation this much higher (percent) than in the previous period is a trend to look at. */
export const COST_TREND_THRESHOLD = 25;

/**
 * AI-side health: `latency_p95_regression` = change of the p95 latency of
 * all responses of the range against the 7 days before the range (percent),
 * a warning at +20% or more; `error_rate` = (errors + timeouts) / responses,
 * a warning above 5%; `cost_per_conversation_trend` = change of the cost per
 * conversation against the previous period of the same length (percent), a
 * warning at +25% or more. `info` = not enough data to compare (no response
 * in one of the periods).
 */
export function evaluateAiFlags(ai: AiHealth): ReportFlag[] {
  const latencyChange = ai.latency_p95_change;
  const costChange = ai.cost_per_conversation_change;
  return [
    {
      metric: 'latency_p95_regression',
      value: latencyChange,
      status: latencyChange === null ? 'info' : latencyChange >= LATENCY_REGRESSION_THRESHOLD ? 'warning' : 'healthy',
      reference: `p95 latency over the range vs the 7 days before it: ${LATENCY_REGRESSION_THRESHOLD}% or more higher is a warning`,
    },
    {
      metric: 'error_rate',
      value: ai.error_rate,
      status: ai.responses === 0 ? 'info' : ai.error_rate > ERROR_RATE_THRESHOLD ? 'warning' : 'healthy',
      reference: `(errors + timeouts) / responses: above ${ERROR_RATE_THRESHOLD * 100}% is a warning`,
    },
    {
      metric: 'cost_per_conversation_trend',
      value: costChange,
      status: costChange === null ? 'info' : costChange >= COST_TREND_THRESHOLD ? 'warning' : 'healthy',
      reference: `cost per conversation vs the previous period of the same length: ${COST_TREND_THRESHOLD}% or more higher is a warning`,
    },
  ];
}
