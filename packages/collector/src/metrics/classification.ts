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

/**
 * Today's classifier spend against `--classifier-daily-budget`, whatever the
 * range: the budget is per UTC day and resets at midnight UTC. `exhausted`:
 * the LLM classifier has stopped for today and the built-in one classifies
 * instead. Without a budget `daily_limit` and `remaining_today` are null.
 */
export function summarizeBudget(day: string, spentToday: number, dailyLimit: number | undefined) {
  return {
    day,
    daily_limit: dailyLimit ?? null,
    spent_today: roundMoney(spentToday),
    remaining_today: dailyLimit === undefined ? null : roundMoney(Math.max(0, dailyLimit - spentToday)),
    exhausted: dailyLimit !== undefined && spentToday >= dailyLimit,
  };
}

export const classificationMetric = defineMetric({
  path: 'classification',
  filters: [],
  params: z.object({}),
  async compute({ source, scope, now, classifierDailyBudget }) {
    const today = new Date(now).toISOString().slice(0, 10);
    const budget = summarizeBudget(today, await source.classifierSpendOn(today), classifierDailyBudget);
    const body = { ...summarizeClassification(await source.classification(scope)), budget };
    const columns = ['prompts', 'sampled', 'not_sampled', 'pending', 'no_text', 'sampling_rate', 'classifier_cost', 'classifier_tokens'] as const;
    const row = { ...body, budget_daily_limit: budget.daily_limit, budget_spent_today: budget.spent_today, budget_exhausted: budget.exhausted };
    return { body, csv: csvFromRecords([...columns, 'budget_daily_limit', 'budget_spent_today', 'budget_exhausted'], [row]) };
  },
});
