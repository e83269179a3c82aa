import { changePercent } from './change-percent.js';
import type { MetricsSource } from './metrics-source.js';
import { rescope } from './metric-params.js';
import type { MetricScope } from './metric-scope.js';
import { ratio, roundDuration, roundMoney } from './round.js';

/** The latency baseline: a week, so that it holds every weekday once whatever the range. */
export const LATENCY_BASELINE_DAYS = 7;

/** The report's AI-side figures, the inputs of its AI health flags. */
export interface AiHealth {
  /** p95 of `latency_ms` over every response of the range (1 decimal); null without a latency. */
  latency_p95_ms: number | null;
  /** The same over the 7 days just before the range. */
  baseline_latency_p95_ms: number | null;
  /** Change of the p95 against the baseline, in percent of the baseline (1 decimal); null when either is missing or 0. */
  latency_p95_change: number | null;
  responses: number;
  /** Responses with response_status `error` or `timeout`. */
  failed: number;
  /** failed / responses (0–1, 4 decimals); 0 without responses. */
  error_rate: number;
  /** Cost of the range's responses / the distinct conversations they belong to (6 decimals); null without responses. */
  cost_per_conversation: number | null;
  /** The same over the period of the same length just before the range. */
  previous_cost_per_conversation: number | null;
  /** Change of the cost per conversation against the previous period, in percent (1 decimal); null when either is missing or 0. */
  cost_per_conversation_change: number | null;
}

/**
 * AI-side health over the report's range (zone and debug as asked): the p95
 * latency of all responses against the 7 days before the range, the share of
 * responses that failed (errors + timeouts) / responses, and the cost per
 * conversation against the previous period of the same length. Changes are
 * taken between the rounded figures shown, like the report's `change`.
 */
export async function computeAiHealth(source: MetricsSource, scope: MetricScope): Promise<AiHealth> {
  const days = scope.toDay - scope.fromDay + 1;
  const [latency, baselineLatency, errors, cost, previousCost] = await Promise.all([
    source.latency(scope, 'total', 'latency'),
    source.latency(rescope(scope, scope.fromDay - LATENCY_BASELINE_DAYS, scope.fromDay - 1), 'total', 'latency'),
    source.errors(scope, 'model'),
    source.cost(scope, { by: 'total' }),
    source.cost(rescope(scope, scope.fromDay - days, scope.fromDay - 1), { by: 'total' }),
  ]);
  const p95 = (groups: typeof latency) => (groups[0] === undefined || groups[0].count === 0 ? null : roundDuration(groups[0].p95Ms));
  const perConversation = (groups: typeof cost) =>
    groups[0] === undefined || groups[0].conversations === 0 ? null : roundMoney(groups[0].cost / groups[0].conversations);
  const latencyP95 = p95(latency);
  const baselineP95 = p95(baselineLatency);
  const responses = errors.reduce((total, group) => total + group.responses, 0);
  const failed = errors.reduce((total, group) => total + group.errors + group.timeouts, 0);
  const costPerConversation = perConversation(cost);
  const previousCostPerConversation = perConversation(previousCost);
  return {
    latency_p95_ms: latencyP95,
    baseline_latency_p95_ms: baselineP95,
    latency_p95_change: changeOf(latencyP95, baselineP95),
    responses,
    failed,
    error_rate: ratio(failed, responses),
    cost_per_conversation: costPerConversation,
    previous_cost_per_conversation: previousCostPerConversation,
    cost_per_conversation_change: changeOf(costPerConversation, previousCostPerConversation),
  };
}

function changeOf(current: number | null, previous: number | null): number | null {
  return current === null || previous === null ? null : changePercent(current, previous);
}
