import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { labelKey } from './group-labels.js';
import { defineMetric } from './metric-endpoint.js';
import { roundDuration } from './round.js';

/**
 * Response latency (`latency_ms` of `ai_llm_response_received`, any status)
 * per model or intent. Percentiles interpolate linearly between ranks
 * (PERCENTILE_CONT: rank = p·(n−1)); milliseconds with 1 decimal.
 */
export const latencyMetric = defineMetric({
  path: 'latency',
  filters: ['model', 'intent', 'conversation_id'],
  params: z.object({
    group_by: z.enum(['model', 'intent'], { error: 'must be model or intent' }).default('model'),
  }),
  async compute({ queries, scope, params }) {
    const groups = (await queries.latency(scope, params.group_by))
      .map((group) => ({
        key: labelKey(group.key, params.group_by),
        count: group.count,
        avg_ms: roundDuration(group.avgMs),
        p50_ms: roundDuration(group.p50Ms),
        p95_ms: roundDuration(group.p95Ms),
        p99_ms: roundDuration(group.p99Ms),
      }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
    return { body: groups, csv: csvFromRecords(['key', 'count', 'avg_ms', 'p50_ms', 'p95_ms', 'p99_ms'], groups) };
  },
});
