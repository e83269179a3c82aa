import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { labelKey } from './group-labels.js';
import { defineMetric } from './metric-endpoint.js';

/**
 * How intents follow each other: for consecutive prompts (by time) of the
 * same conversation, both in the range, count (intent before → intent after).
 * A conversation's last prompt in the range adds a flow to the end of the
 * conversation, `to: null` (counted per intent: conversations whose last
 * prompt in the range has that intent). Prompts without an intent are
 * `unclassified`.
 */
export const intentFlowsMetric = defineMetric({
  path: 'intent-flows',
  filters: ['conversation_id'],
  params: z.object({}),
  async compute({ source, scope }) {
    const [transitions, ends] = await Promise.all([source.intentFlows(scope), source.intentFlowEnds(scope)]);
    const flows: { from: string; to: string | null; count: number }[] = [
      ...transitions.map((flow) => ({ from: labelKey(flow.from, 'intent'), to: labelKey(flow.to, 'intent'), count: flow.count })),
      ...ends.map((end) => ({ from: labelKey(end.key, 'intent'), to: null, count: end.count })),
    ];
    // Thickest first; on a tie by source intent, then transitions (by target) before the end.
    flows.sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || compareTargets(a.to, b.to));
    return { body: flows, csv: csvFromRecords(['from', 'to', 'count'], flows) };
  },
});

function compareTargets(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a.localeCompare(b);
}
