import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { QuarterHourCount } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { promptsSql } from './intent-queries.js';

/** A UTC quarter-hour: every IANA offset in use is a multiple of 15 minutes, so each falls in one local hour of any zone. */
const QUARTER_HOUR_MS = 900_000;

/** Prompts per UTC quarter-hour of the range. */
export async function promptsByQuarterHour(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<QuarterHourCount[]> {
  return connection.rows<QuarterHourCount>(
    `SELECT intDiv(ts, ${QUARTER_HOUR_MS}) * ${QUARTER_HOUR_MS} AS startMs, count() AS prompts FROM (${promptsSql(tables, scope, { intents: false })}) GROUP BY startMs`,
  );
}
