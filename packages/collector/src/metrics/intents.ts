import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { labelKey } from './group-labels.js';
import { defineMetric } from './metric-endpoint.js';
import { percentage } from './round.js';

/**
 * Intent mix: prompts in the range per intent (none yet → `unclassified`;
 * skipped by the sampling policy → `not_sampled`), percentage of all prompts
 * (0–100, 1 decimal). How much was sampled: `/classification` and `/report`.
 */
export const intentsMetric = defineMetric({
  path: 'intents',
  filters: ['conversation_id'],
  params: z.object({}),
  async compute({ source, scope }) {
    const counts = await source.intentCounts(scope);
    const prompts = counts.reduce((sum, row) => sum + row.count, 0);
    const intents = counts
      .map((row) => ({ intent: labelKey(row.key, 'intent'), count: row.count, percentage: percentage(row.count, prompts) }))
      .sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent));
    return { body: intents, csv: csvFromRecords(['intent', 'count', 'percentage'], intents) };
  },
});
