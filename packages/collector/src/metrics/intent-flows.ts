import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { labelKey } from './group-labels.js';
import { defineMetric } from './metric-endpoint.js';

/**
 * How intents follow each other: for consecutive prompts (by time) of the
 * same conversation, both in the range, count (intent before → intent after).
 * Prompts without an intent are `unclassified`.
 */
export const intentFlowsMetric = defineMetric({
  path: 'intent-flows',
  filters: ['conversation_id'],
  params: z.object({}),
  async compute({ source, scope }) {
    const flows = (await source.intentFlows(scope))
      .map((flow) => ({ from: labelKey(flow.from, 'intent'), to: labelKey(flow.to, 'intent'), count: flow.count }))
      .sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
    return { body: flows, csv: csvFromRecords(['from', 'to', 'count'], flows) };
  },
});
