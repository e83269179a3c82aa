import type { TrafficInclusion } from '../../../metrics/metric-scope.js';
import type { LiveConversations } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { trafficFilterSql } from '../traffic.js';
import { eventRowsSql, PROMPT, RESPONSE } from './event-rows-sql.js';

/** Conversations with a prompt or response since `sinceMs`, latest first. */
export async function activeConversations(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  sinceMs: number,
  traffic: TrafficInclusion,
  limit: number,
): Promise<LiveConversations> {
  const messages = eventRowsSql(tables, {
    events: [PROMPT, RESPONSE],
    where: `ts >= ${sqlValue(sinceMs)} AND isNotNull(conversation_id) AND ${trafficFilterSql(traffic)}`,
    columns: ['conversation_id', 'ts'],
    userKey: true,
  });
  const rows = await connection.rows<LiveConversations['conversations'][number]>(
    `SELECT assumeNotNull(conversation_id) AS conversationId, max(user_key) AS user, count() AS messages, max(ts) AS lastMessageMs
       FROM (${messages}) GROUP BY conversationId
      ORDER BY lastMessageMs DESC, conversationId`,
  );
  return { count: rows.length, conversations: rows.slice(0, limit) };
}
