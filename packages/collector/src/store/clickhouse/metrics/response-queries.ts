import { formatLocalDay } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { CostGroup, CostGrouping, ErrorGroup, LatencyGroup, LatencyGrouping, ResponseMeasure } from '../../../metrics/metrics-source.js';
import { mean, percentileCont } from '../../../metrics/percentile.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { eventRowsSql, RESPONSE } from './event-rows-sql.js';
import { conversationSql, filtersSql, rangeSql } from './scope-sql.js';
import { traitValuesSql } from './user-values-sql.js';
import { localDaySql } from './zone-sql.js';

/** What a response is grouped by; `total` puts the whole scope in one group (key NULL). */
type ResponseGrouping = 'intent' | 'model' | 'day' | 'total';

/** The range's responses with the columns asked for, their effective intent, and the scope's filters applied. */
function responsesSql(tables: ClickHouseTables, scope: MetricScope, columns: readonly string[], options: { userKey?: boolean; byIntent?: boolean } = {}): string {
  const rows = eventRowsSql(tables, {
    events: [RESPONSE],
    where: `${rangeSql(scope)} AND ${conversationSql(scope.filters)}`,
    columns: ['ts', 'model', 'conversation_id', ...columns],
    userKey: options.userKey === true,
    // The turn-intent join is the costliest part: only when an intent is grouped or filtered on.
    intents: options.byIntent === true || scope.filters.intent !== undefined,
  });
  return `SELECT * FROM (${rows}) WHERE ${filtersSql(scope.filters)}`;
}

function keySql(scope: MetricScope, groupBy: ResponseGrouping): string {
  if (groupBy === 'total') return 'CAST(NULL AS Nullable(String))';
  if (groupBy === 'day') return localDaySql(scope.calendar, 'ts');
  return groupBy === 'intent' ? 'eff_intent' : 'model';
}

/**
 * ClickHouse answers `GROUP BY <constant>` over no rows with one row of
 * zeros; the interface wants no group then (`total` is absent without responses).
 */
const SOME_ROWS = 'HAVING count() > 0';

/** Day keys come back as day numbers; the interface speaks `YYYY-MM-DD`. */
function dayKeysToDates<T extends { key: string | number | null }>(rows: T[], groupBy: ResponseGrouping): T[] {
  if (groupBy !== 'day') return rows;
  return rows.map((row) => ({ ...row, key: typeof row.key === 'number' ? formatLocalDay(row.key) : row.key }));
}

const MEASURE_COLUMNS: Record<ResponseMeasure, string> = {
  latency: 'latency_ms',
  ttft: 'time_to_first_token_ms',
  tokens_per_second: 'tokens_per_second',
};

/**
 * Count, average and PERCENTILE_CONT percentiles (linear interpolation at
 * rank p·(n−1)) of one per-response measure. ClickHouse's quantiles are
 * approximate or not interpolated, so every value of a group comes back
 * (groupArray) and is selected here, exactly as the SQLite engine does.
 */
export async function latency(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  scope: MetricScope,
  groupBy: LatencyGrouping,
  measure: ResponseMeasure,
): Promise<LatencyGroup[]> {
  const column = MEASURE_COLUMNS[measure];
  const groups = await connection.rows<{ key: string | null; values: number[] }>(
    `SELECT ${keySql(scope, groupBy)} AS key, groupArray(assumeNotNull(${column})) AS values
       FROM (${responsesSql(tables, scope, [column], { byIntent: groupBy === 'intent' })}) WHERE isNotNull(${column})
      GROUP BY key ${SOME_ROWS}`,
  );
  return groups.map(({ key, values }) => {
    const list = Float64Array.from(values);
    return {
      key,
      count: list.length,
      avgMs: mean(list),
      p50Ms: percentileCont(list, 0.5),
      p95Ms: percentileCont(list, 0.95),
      p99Ms: percentileCont(list, 0.99),
    };
  });
}

const COST_SUMS = `sum(ifNull(cost, 0)) AS cost, sum(ifNull(prompt_tokens, 0)) AS promptTokens,
                   sum(ifNull(completion_tokens, 0)) AS completionTokens, sum(ifNull(total_tokens, 0)) AS totalTokens,
                   uniqExact(conversation_id) AS conversations`;
const COST_COLUMNS = ['cost', 'prompt_tokens', 'completion_tokens', 'total_tokens'];

/** Spend and tokens per group; conversations = distinct conversations with a response in the group. */
export async function cost(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope, grouping: CostGrouping): Promise<CostGroup[]> {
  if (grouping.by === 'segment') {
    const responses = responsesSql(tables, scope, COST_COLUMNS, { userKey: true });
    const rows = await connection.rows<CostGroup>(
      `SELECT value AS key, ${COST_SUMS}
         FROM (${responses}) ANY LEFT JOIN (SELECT user_key, value FROM (${traitValuesSql(tables, grouping.trait)})) USING user_key
        GROUP BY key ${SOME_ROWS}`,
    );
    return rows;
  }
  const rows = await connection.rows<CostGroup & { key: string | number | null }>(
    `SELECT ${keySql(scope, grouping.by)} AS key, ${COST_SUMS} FROM (${responsesSql(tables, scope, COST_COLUMNS)}) GROUP BY key ${SOME_ROWS}`,
  );
  return dayKeysToDates(rows, grouping.by) as CostGroup[];
}

export async function errors(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope, groupBy: 'model' | 'day'): Promise<ErrorGroup[]> {
  const rows = await connection.rows<ErrorGroup & { key: string | number | null }>(
    `SELECT ${keySql(scope, groupBy)} AS key, count() AS responses, countIf(ifNull(status, '') = 'error') AS errors, countIf(ifNull(status, '') = 'timeout') AS timeouts
       FROM (${responsesSql(tables, scope, ['status'])}) GROUP BY key ${SOME_ROWS}`,
  );
  return dayKeysToDates(rows, groupBy) as ErrorGroup[];
}
