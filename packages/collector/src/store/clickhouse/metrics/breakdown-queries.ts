import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { Breakdown, KeyedCount } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { eventRowsSql, PROMPT } from './event-rows-sql.js';
import { rangeSql } from './scope-sql.js';
import { userValuesSql } from './user-values-sql.js';

/** Distinct users with a prompt in the range, per breakdown value (null: no value). */
export async function usersByValue(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope, breakdown: Breakdown): Promise<KeyedCount[]> {
  const prompts = eventRowsSql(tables, { events: [PROMPT], where: rangeSql(scope), columns: ['ts'], userKey: true });
  return connection.rows<KeyedCount>(
    `SELECT value AS key, count() AS count
       FROM (SELECT DISTINCT user_key FROM (${prompts}))
       ANY LEFT JOIN (SELECT user_key, value FROM (${userValuesSql(tables, breakdown)})) USING user_key
      GROUP BY key`,
  );
}
