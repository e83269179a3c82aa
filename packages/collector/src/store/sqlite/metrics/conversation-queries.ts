import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ConversationTotals, UserConversations } from '../../../metrics/metrics-source.js';

/**
 * Conversations of the range from the rollup: a conversation belongs to the
 * range its first prompt falls in (with debug included: the earlier first
 * prompt of its debug and non-debug rows).
 */
function conversationsSql(includeDebug: boolean): string {
  return includeDebug
    ? `SELECT MAX(user_key) AS user_key, SUM(prompts) AS prompts
         FROM conversation_rollup
        WHERE conversation_id IN (SELECT conversation_id FROM conversation_rollup WHERE first_ts >= @start AND first_ts < @end)
        GROUP BY conversation_id
       HAVING MIN(first_ts) >= @start`
    : `SELECT user_key, prompts
         FROM conversation_rollup WHERE first_ts >= @start AND first_ts < @end AND debug = 0`;
}

export function conversationTotals(db: Database.Database, scope: MetricScope): ConversationTotals {
  return db
    .prepare(
      `SELECT COUNT(*) AS conversations, COUNT(DISTINCT user_key) AS users, COALESCE(SUM(prompts), 0) AS prompts
         FROM (${conversationsSql(scope.includeDebug)})`,
    )
    .get({ start: scope.startMs, end: scope.endMs }) as ConversationTotals;
}

export function conversationsByUser(db: Database.Database, scope: MetricScope, limit: number): UserConversations[] {
  return db
    .prepare(
      `SELECT user_key AS user, COUNT(*) AS conversations, SUM(prompts) AS prompts
         FROM (${conversationsSql(scope.includeDebug)})
        GROUP BY user_key
        ORDER BY conversations DESC, prompts DESC, user_key
        LIMIT @limit`,
    )
    .all({ start: scope.startMs, end: scope.endMs, limit }) as UserConversations[];
}
