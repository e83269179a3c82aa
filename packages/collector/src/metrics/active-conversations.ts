import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { defineMetric } from './metric-endpoint.js';

const MINUTE_MS = 60_000;
/** A day: "live" beyond that is a range question for the other metrics. */
const MAX_MINUTES = 1440;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const wholeNumber = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be ${min}–${max}`).max(max, `must be ${min}–${max}`);

/**
 * Conversations with a message (prompt or response) in the last `minutes`
 * before now (from, to and tz do not apply). `count` is all of them;
 * `conversations` lists the `limit` most recent.
 */
export const activeConversationsMetric = defineMetric({
  path: 'active-conversations',
  filters: [],
  params: z.object({
    minutes: wholeNumber(1, MAX_MINUTES).default(5),
    limit: wholeNumber(1, MAX_LIMIT).default(DEFAULT_LIMIT),
  }),
  async compute({ source, scope, params, now }) {
    const live = await source.activeConversations(now - params.minutes * MINUTE_MS, scope, params.limit);
    const conversations = live.conversations.map((conversation) => ({
      conversation_id: conversation.conversationId,
      user: conversation.user,
      messages: conversation.messages,
      last_message_at: new Date(conversation.lastMessageMs).toISOString(),
    }));
    return {
      body: { count: live.count, conversations },
      csv: csvFromRecords(['conversation_id', 'user', 'messages', 'last_message_at'], conversations),
    };
  },
});
