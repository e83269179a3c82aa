import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { defineMetric } from './metric-endpoint.js';
import { average } from './round.js';

const DEFAULT_USER_LIMIT = 100;
/** by_user lists users; 10 000 rows keeps one answer well under a few MB. */
const MAX_USER_LIMIT = 10_000;

/**
 * Conversations = distinct conversation_id among prompts, counted in the range
 * their first prompt falls in; per user = conversations / distinct users;
 * prompts per conversation = their prompts / conversations.
 */
export const conversationsMetric = defineMetric({
  path: 'conversations',
  filters: [],
  params: z.object({
    group_by: z.enum(['user'], { error: 'must be user (or left out)' }).optional(),
    limit: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_USER_LIMIT, `must be at most ${MAX_USER_LIMIT}`)
      .default(DEFAULT_USER_LIMIT),
  }),
  async compute({ source, scope, params }) {
    const totals = await source.conversationTotals(scope);
    const summary = {
      conversations: totals.conversations,
      conversations_per_user: average(totals.conversations, totals.users),
      avg_prompts_per_conversation: average(totals.prompts, totals.conversations),
    };
    if (params.group_by !== 'user') {
      return { body: summary, csv: csvFromRecords(['conversations', 'conversations_per_user', 'avg_prompts_per_conversation'], [summary]) };
    }
    const byUser = await source.conversationsByUser(scope, params.limit);
    return { body: { ...summary, by_user: byUser }, csv: csvFromRecords(['user', 'conversations', 'prompts'], byUser) };
  },
});
