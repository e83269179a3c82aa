import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ConversationTotals, UserConversations } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { CONVERSATION_THREADS } from '../rollups.js';
import { threadsSql } from './rollup-rows-sql.js';

/**
 * Conversations whose first prompt (of the traffic the scope keeps) falls in
 * the range, with all their prompts; the user of a conversation is the
 * greatest of its users' keys. From the conversation rollup.
 */
function conversationsSql(tables: ClickHouseTables, scope: MetricScope): string {
  return `SELECT thread_id AS conversation_id, user_key, first_ts, thread_prompts AS prompts
            FROM (${threadsSql(tables, CONVERSATION_THREADS, scope)})
           WHERE first_ts >= ${sqlValue(scope.startMs)} AND first_ts < ${sqlValue(scope.endMs)}`;
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
