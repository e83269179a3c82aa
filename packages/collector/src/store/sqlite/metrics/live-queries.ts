import type Database from 'better-sqlite3';
import type { TrafficInclusion } from '../../../metrics/metric-scope.js';
import type { LiveConversations } from '../../../metrics/metrics-source.js';
import { idFromStored } from '../session-conversation-ids.js';
import { andTrafficSql } from '../traffic-flags.js';
import { PROMPT_CODE, RESPONSE_CODE } from './sql-constants.js';

/**
 * Conversations with a prompt or response since `sinceMs`, found through
 * `events_ts` (the recent events only), named because the planner once chose
 * to walk an index of every event with a conversation whole instead.
 */
export function activeConversations(
  db: Database.Database,
  sinceMs: number,
  traffic: TrafficInclusion,
  limit: number,
): LiveConversations {
  const rows = db
    .prepare(
      `SELECT conversation_id AS conversationId, MAX(user_key) AS user, COUNT(*) AS messages, MAX(ts) AS lastMessageMs
         FROM events INDEXED BY events_ts
        WHERE event_code IN (${PROMPT_CODE}, ${RESPONSE_CODE}) AND ts >= @since AND conversation_id IS NOT NULL
          ${andTrafficSql('debug', traffic)}
        GROUP BY conversation_id`,
    )
    .all({ since: sinceMs }) as LiveConversations['conversations'];
  // Ordered here, by the ids as sent (their UTF-8 bytes, as SQLite compares text): their stored forms sort
  // differently (session-conversation-ids.ts).
  const sorted = rows
    .map((row) => {
      const conversationId = idFromStored(row.conversationId);
      return { row: { ...row, conversationId }, bytes: Buffer.from(conversationId) };
    })
    .sort((a, b) => b.row.lastMessageMs - a.row.lastMessageMs || Buffer.compare(a.bytes, b.bytes));
  return { count: sorted.length, conversations: sorted.slice(0, limit).map(({ row }) => row) };
}
