import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { fillDays } from './day-keys.js';
import { labelKey } from './group-labels.js';
import { MetricParameterError } from './metric-parameter-error.js';
import { defineMetric } from './metric-endpoint.js';
import type { CostGroup, CostGrouping } from './metrics-source.js';
import { roundMoney } from './round.js';

/** Trait names become a JSON path; keep them to plain identifiers. */
const TRAIT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Spend and tokens of responses per local day, model or user segment (the
 * value of user trait `segment_trait`; users without it → `unknown`).
 * conversations = distinct conversations with a response in the group;
 * cost_per_conversation = cost / conversations. Money has 6 decimals.
 */
export const costMetric = defineMetric({
  path: 'cost',
  filters: ['model', 'intent', 'conversation_id'],
  params: z.object({
    group_by: z.enum(['day', 'model', 'segment'], { error: 'must be day, model or segment' }).default('day'),
    segment_trait: z.string().regex(TRAIT_NAME, 'must be a trait name of letters, digits, _ or -, e.g. plan').optional(),
  }),
  async compute({ source, scope, params }) {
    const grouping = toGrouping(params.group_by, params.segment_trait);
    let rows = await source.cost(scope, grouping);
    if (grouping.by === 'day') rows = fillDays(scope, rows, emptyCost);
    const groups = rows.map((row) => ({
      key: grouping.by === 'day' ? (row.key ?? '') : labelKey(row.key, grouping.by),
      cost: roundMoney(row.cost),
      prompt_tokens: row.promptTokens,
      completion_tokens: row.completionTokens,
      total_tokens: row.totalTokens,
      conversations: row.conversations,
      cost_per_conversation: row.conversations === 0 ? 0 : roundMoney(row.cost / row.conversations),
    }));
    if (grouping.by !== 'day') groups.sort((a, b) => b.cost - a.cost || a.key.localeCompare(b.key));
    const columns = ['key', 'cost', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'conversations', 'cost_per_conversation'] as const;
    return { body: groups, csv: csvFromRecords(columns, groups) };
  },
});

function toGrouping(groupBy: 'day' | 'model' | 'segment', trait: string | undefined): CostGrouping {
  if (groupBy === 'segment') {
    if (trait === undefined) throw new MetricParameterError('segment_trait', 'is required with group_by=segment: name the user trait to group by, e.g. plan');
    return { by: 'segment', trait };
  }
  if (trait !== undefined) throw new MetricParameterError('segment_trait', 'is only used with group_by=segment');
  return { by: groupBy };
}

function emptyCost(date: string): CostGroup {
  return { key: date, cost: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, conversations: 0 };
}
