import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ExcludedUsers } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { TRAFFIC_BOT, TRAFFIC_INTERNAL } from '../traffic.js';
import { eventRowsSql, PROMPT } from './event-rows-sql.js';

/**
 * Users with a bot or internal prompt in the range that the scope leaves out
 * (whatever their debug flag), counted by the user key prompts count for.
 */
export async function excludedUsers(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<ExcludedUsers> {
  const bot = scope.includeBots ? 0 : TRAFFIC_BOT;
  const internal = scope.includeInternal ? 0 : TRAFFIC_INTERNAL;
  if (bot === 0 && internal === 0) return { bots: 0, internal: 0 };
  const prompts = eventRowsSql(tables, {
    events: [PROMPT],
    where: `ts >= ${sqlValue(scope.startMs)} AND ts < ${sqlValue(scope.endMs)} AND bitAnd(traffic, ${bot | internal}) != 0`,
    columns: ['traffic'],
    userKey: true,
  });
  // uniqExactIf over no rows is 0; a bit of 0 (kind included) matches no row.
  const rows = await connection.rows<ExcludedUsers>(
    `SELECT uniqExactIf(user_key, bitAnd(traffic, ${bot}) != 0) AS bots, uniqExactIf(user_key, bitAnd(traffic, ${internal}) != 0) AS internal
       FROM (${prompts})`,
  );
  return rows[0] ?? { bots: 0, internal: 0 };
}
