import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ConversationTotals, UserConversations } from '../../../metrics/metrics-source.js';
import type { TrafficInclusion } from '../../../metrics/metric-scope.js';
import { andTrafficSql, trafficView } from '../traffic-flags.js';

/**
 * Conversations of the range from the rollup: a conversation belongs to the
 * range its first prompt falls in (with flagged traffic included: the earliest
 * first prompt of its rows of the counted flags).
 */
function conversationsSql(traffic: TrafficInclusion): string {
  const counted = andTrafficSql('debug', traffic);
  return trafficView(traffic) !== 'ordinary'
    ? `SELECT MAX(user_key) AS user_key, SUM(prompts) AS prompts
         FROM conversation_rollup
        WHERE conversation_id IN (SELECT conversation_id FROM conversation_rollup WHERE first_ts >= @start AND first_ts < @end${counted})${counted}
        GROUP BY conversation_id
       HAVING MIN(first_ts) >= @start`
    : `SELECT user_key, prompts
         FROM conversation_rollup WHERE first_ts >= @start AND first_ts < @end AND debug = 0`;
}

export function conversationTotals(db: Database.Database, scope: MetricScope): ConversationTotals {
  return db
    .prepare(
      `SELECT COUNT(*) AS conversations, COUNT(DISTINCT user_key) AS users, COALESCE(SUM(prompts), 0) AS prompts
         FROM (${conversationsSql(scope)})`,
    )
    .get({ start: scope.startMs, end: scope.endMs }) as ConversationTotals;
}

export function conversationsByUser(db: Database.Database, scope: MetricScope, limit: number): UserConversations[] {
  return db
    .prepare(
      `SELECT user_key AS user, COUNT(*) AS conversations, SUM(prompts) AS prompts
         FROM (${conversationsSql(scope)})
        GROUP BY user_key
        ORDER BY conversations DESC, prompts DESC, user_key
        LIMIT @limit`,
    )
    .all({ start: scope.startMs, end: scope.endMs, limit }) as UserConversations[];
}
