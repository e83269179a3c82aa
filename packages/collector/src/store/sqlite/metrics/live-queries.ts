import type Database from 'better-sqlite3';
import type { TrafficInclusion } from '../../../metrics/metric-scope.js';
import type { LiveConversations } from '../../../metrics/metrics-source.js';
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
        GROUP BY conversation_id
        ORDER BY lastMessageMs DESC, conversationId`,
    )
    .all({ since: sinceMs }) as LiveConversations['conversations'];
  return { count: rows.length, conversations: rows.slice(0, limit) };
}
