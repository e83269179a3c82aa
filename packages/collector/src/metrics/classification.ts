import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { defineMetric } from './metric-endpoint.js';
import type { ClassificationTotals } from './metrics-source.js';
import { ratio, roundMoney } from './round.js';

/**
 * Intent sampling and what classifying costs. sampling_rate = sampled /
 * (sampled + not_sampled), prompts still queued left out. `no_text`: prompts
 * that arrived without text (redacted by the SDK) and without an intent, so
 * there is nothing to classify; they are never pending. Classifier usage is
 * recorded per UTC day, so it covers the UTC days the range touches.
 */
export function summarizeClassification(totals: ClassificationTotals) {
  return {
    prompts: totals.prompts,
    sampled: totals.sampled,
    not_sampled: totals.notSampled,
    pending: totals.pending,
    no_text: totals.prompts - totals.sampled - totals.notSampled - totals.pending,
    sampling_rate: ratio(totals.sampled, totals.sampled + totals.notSampled),
    classifier_cost: roundMoney(totals.classifierCost),
    classifier_tokens: totals.classifierTokens,
  };
}

export const classificationMetric = defineMetric({
  path: 'classification',
  filters: [],
  params: z.object({}),
  async compute({ source, scope }) {
    const body = summarizeClassification(await source.classification(scope));
    const columns = ['prompts', 'sampled', 'not_sampled', 'pending', 'no_text', 'sampling_rate', 'classifier_cost', 'classifier_tokens'] as const;
    return { body, csv: csvFromRecords(columns, [body]) };
  },
});
