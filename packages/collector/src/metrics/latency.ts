import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { labelKey } from './group-labels.js';
import { defineMetric } from './metric-endpoint.js';
import { roundDuration, roundTo } from './round.js';

/**
 * Response latency per model or intent, of `ai_llm_response_received` (any
 * status) that carry the measure: `metric=latency` (default) reads
 * `latency_ms`, prompt sent → last token; `metric=ttft` reads
 * `time_to_first_token_ms`, prompt sent → first streamed token, and adds
 * `median_tokens_per_second`, the median `tokens_per_second` of the group's
 * responses (null when none reports it). Percentiles interpolate linearly
 * between ranks (PERCENTILE_CONT: rank = p·(n−1)); milliseconds with 1 decimal.
 */
export const latencyMetric = defineMetric({
  path: 'latency',
  filters: ['model', 'intent', 'conversation_id'],
  params: z.object({
    group_by: z.enum(['model', 'intent'], { error: 'must be model or intent' }).default('model'),
    metric: z.enum(['latency', 'ttft'], { error: 'must be latency or ttft' }).default('latency'),
  }),
  async compute({ source, scope, params }) {
    const groups = (await source.latency(scope, params.group_by, params.metric))
      .map((group) => ({
        key: labelKey(group.key, params.group_by),
        count: group.count,
        avg_ms: roundDuration(group.avgMs),
        p50_ms: roundDuration(group.p50Ms),
        p95_ms: roundDuration(group.p95Ms),
        p99_ms: roundDuration(group.p99Ms),
      }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
    if (params.metric === 'latency') {
      return { body: groups, csv: csvFromRecords(['key', 'count', 'avg_ms', 'p50_ms', 'p95_ms', 'p99_ms'], groups) };
    }
    const speeds = await source.latency(scope, params.group_by, 'tokens_per_second');
    const medianSpeed = new Map(speeds.map((group) => [labelKey(group.key, params.group_by), roundTo(group.p50Ms, 1)]));
    const withSpeed = groups.map((group) => ({ ...group, median_tokens_per_second: medianSpeed.get(group.key) ?? null }));
    return {
      body: withSpeed,
      csv: csvFromRecords(['key', 'count', 'avg_ms', 'p50_ms', 'p95_ms', 'p99_ms', 'median_tokens_per_second'], withSpeed),
    };
  },
});
