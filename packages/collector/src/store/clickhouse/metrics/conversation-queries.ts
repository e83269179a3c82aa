import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ConversationTotals, UserConversations } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { trafficFilterSql } from '../traffic.js';
import { eventRowsSql, PROMPT } from './event-rows-sql.js';
import { rangeSql } from './scope-sql.js';

/**
 * Conversations whose first prompt (of the traffic the scope keeps) falls in
 * the range, with all their prompts; the user of a conversation is the
 * greatest of its users' keys.
 */
function conversationsSql(tables: ClickHouseTables, scope: MetricScope): string {
  const prompts = eventRowsSql(tables, {
    events: [PROMPT],
    where: `isNotNull(conversation_id) AND ${trafficFilterSql(scope)} AND conversation_id IN (
      SELECT conversation_id FROM ${tables.table('events')} WHERE event = '${PROMPT}' AND ${rangeSql(scope)})`,
    columns: ['conversation_id', 'ts'],
    userKey: true,
  });
  return `SELECT conversation_id, max(user_key) AS user_key, min(ts) AS first_ts, count() AS prompts
            FROM (${prompts}) GROUP BY conversation_id
          HAVING first_ts >= ${sqlValue(scope.startMs)} AND first_ts < ${sqlValue(scope.endMs)}`;
}

export async function conversationTotals(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<ConversationTotals> {
  const rows = await connection.rows<ConversationTotals>(
    `SELECT count() AS conversations, uniqExact(user_key) AS users, sum(prompts) AS prompts FROM (${conversationsSql(tables, scope)})`,
  );
  return rows[0] ?? { conversations: 0, users: 0, prompts: 0 };
}

export async function conversationsByUser(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  scope: MetricScope,
  limit: number,
): Promise<UserConversations[]> {
  return connection.rows<UserConversations>(
    `SELECT user_key AS user, count() AS conversations, sum(prompts) AS prompts
       FROM (${conversationsSql(tables, scope)})
      GROUP BY user_key
      ORDER BY conversations DESC, prompts DESC, user_key
      LIMIT ${sqlValue(Math.trunc(limit))}`,
  );
}
