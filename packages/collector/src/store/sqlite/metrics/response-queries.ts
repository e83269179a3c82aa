import type Database from 'better-sqlite3';
import { formatLocalDay } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { CostGroup, CostGrouping, ErrorGroup, LatencyGroup, LatencyGrouping, ResponseMeasure } from '../../../metrics/metrics-source.js';
import { trafficView } from '../traffic-flags.js';
import { mean, percentilesCont } from '../../../metrics/percentile.js';
import { TOKEN_RATE_LIST, TTFT_LIST } from '../migrations/005-streaming-response-ids-delivery.js';
import { LATENCY_LIST } from '../migrations/010-binary-value-lists.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { readValueStats } from './value-bucket-reads.js';
import { readValueLists } from './value-list-reads.js';
import { keyColumnSql, rollupKeyFiltersSql } from './rollup-filters-sql.js';
import { QUARTER_HOUR_MS, quarterRange, rangeIndex, RESPONSE_CODE } from './sql-constants.js';
import { responseSums, type ResponseGrouping } from './response-sums.js';
import { localDaySql } from './zone-sql.js';

/**
 * Per-response metrics. Sums and counts come from `response_rollup`
 * (migration 004: per UTC quarter-hour, debug flag, model and intent), which
 * any zone buckets exactly into its days, and its sums per UTC day (migration
 * 019, response-sums.ts); a conversation filter, which the rollups have no
 * column for, reads the conversation's responses through `events_response_turn`.
 */
function responsesWhere(scope: MetricScope): { from: string; sql: string; params: Record<string, unknown> } {
  const filters = eventFiltersSql('e', scope.filters, scope);
  return {
    from: `events e${rangeIndex('events_ts', scope.filters.conversationId)}`,
    sql: `e.event_code = ${RESPONSE_CODE} AND e.ts >= @start AND e.ts < @end${filters.sql}`,
    params: { start: scope.startMs, end: scope.endMs, ...filters.params },
  };
}

/** The rollup has no conversation column. */
function rollupAnswers(scope: MetricScope): boolean {
  return scope.filters.conversationId === undefined;
}

function eventKeySql(scope: MetricScope, groupBy: ResponseGrouping): string {
  if (groupBy === 'total') return 'NULL';
  if (groupBy === 'day') return localDaySql(scope.calendar, 'e.ts');
  return groupBy === 'intent' ? 'e.intent' : 'e.model';
}

/** Day keys come back as day numbers; the interface speaks `YYYY-MM-DD`. */
function dayKeysToDates<T extends { key: string | number | null }>(rows: T[], groupBy: string): T[] {
  if (groupBy !== 'day') return rows;
  return rows.map((row) => ({ ...row, key: typeof row.key === 'number' ? formatLocalDay(row.key) : row.key }));
}

/** Where each per-response measure lives: its events column and its value lists (migrations 004 and 005, binary since 010). */
const MEASURE_SOURCES: Record<ResponseMeasure, { column: string; table: string; list: string }> = {
  latency: LATENCY_LIST,
  ttft: TTFT_LIST,
  tokens_per_second: TOKEN_RATE_LIST,
};

/** The percentiles a latency group reports: p50, p95, p99. */
const PERCENTILES = [0.5, 0.95, 0.99] as const;

/**
 * Count, average and PERCENTILE_CONT percentiles (linear interpolation at rank
 * p·(n−1)) of one per-response measure (latency_ms, time_to_first_token_ms,
 * tokens_per_second). Exact percentiles need every value: they come from the
 * value lists (`response_latencies` of migration 004, `response_ttfts` and
 * `response_token_rates` of 005, binary64 arrays since 010), read per group
 * into a Float64Array (value-list-reads.ts) and selected here in linear
 * time, instead of SQLite collecting and sorting the range's responses three
 * times (once per percentile). When every value of the range is a whole
 * int32 (latencies and times to first token in milliseconds), only the
 * buckets holding the wanted ranks are read (value-bucket-reads.ts).
 */
export function latency(db: Database.Database, scope: MetricScope, groupBy: LatencyGrouping, measure: ResponseMeasure): LatencyGroup[] {
  const source = MEASURE_SOURCES[measure];
  if (!rollupAnswers(scope)) return latencyFromEvents(db, scope, groupBy, source.column);
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const keyFilters = rollupKeyFiltersSql(scope, { model: true, intent: true });
  const key = groupBy === 'total' ? null : groupBy;
  const stats = readValueStats(db, source, q0, q1, keyFilters, key, PERCENTILES);
  if (stats !== undefined) {
    return [...stats].map(([key, { count, mean: avgMs, percentiles }]) => {
      const [p50Ms, p95Ms, p99Ms] = percentiles as [number, number, number];
      return { key, count, avgMs, p50Ms, p95Ms, p99Ms };
    });
  }
  const groups = readValueLists(db, source, q0, q1, keyFilters, key);
  return [...groups].map(([key, group]) => {
    const [p50Ms, p95Ms, p99Ms] = percentilesCont(group, PERCENTILES) as [number, number, number];
    return { key, count: group.length, avgMs: mean(group), p50Ms, p95Ms, p99Ms };
  });
}

function latencyFromEvents(db: Database.Database, scope: MetricScope, groupBy: LatencyGrouping, column: string): LatencyGroup[] {
  const where = responsesWhere(scope);
  return db
    .prepare(
      `SELECT ${eventKeySql(scope, groupBy)} AS key, COUNT(*) AS count, AVG(e.${column}) AS avgMs,
              percentile_cont(e.${column}, 0.5) AS p50Ms,
              percentile_cont(e.${column}, 0.95) AS p95Ms,
              percentile_cont(e.${column}, 0.99) AS p99Ms
         FROM ${where.from}
        WHERE ${where.sql} AND e.${column} IS NOT NULL
        GROUP BY key`,
    )
    .all(where.params) as LatencyGroup[];
}

/**
 * conversations = distinct conversations with a response in the group. Per
 * day or model they come from the conversation entry rollups (see
 * `entryConversations`); with a conversation or intent filter or with debug
 * events, from the responses themselves. Per user segment: segment-cost-queries.ts.
 */
export function cost(db: Database.Database, scope: MetricScope, grouping: Exclude<CostGrouping, { by: 'segment' }>): CostGroup[] {
  if (!rollupAnswers(scope)) return costFromEvents(db, scope, grouping.by);
  const sums = responseSums(db, scope, grouping.by);
  const conversations = canCountEntries(scope) ? entryConversations(db, scope, grouping.by) : eventConversations(db, scope, grouping.by);
  const rows = sums.map(({ key, cost, promptTokens, completionTokens, totalTokens }) => ({
    key, cost, promptTokens, completionTokens, totalTokens, conversations: conversations.get(key) ?? 0,
  }));
  return dayKeysToDates(rows, grouping.by) as CostGroup[];
}

/** The entry rollups follow unflagged responses per conversation (and model); they know no intent. */
function canCountEntries(scope: MetricScope): boolean {
  return trafficView(scope) === 'ordinary' && scope.filters.intent === undefined;
}

/**
 * Distinct conversations from the entry rollups of migration 004: every UTC
 * quarter in which a conversation (or conversation and model) has non-debug
 * responses is one entry, keyed by the conversation's previous such quarter.
 * A conversation has responses in quarters [a, b) exactly once among the
 * entries there whose previous quarter is before a: its first quarter there.
 * Per local day, a is the day's first quarter, i.e. the previous quarter lies
 * on an earlier day.
 */
function entryConversations(db: Database.Database, scope: MetricScope, groupBy: 'day' | 'model' | 'total'): Map<string | number | null, number> {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const perModel = groupBy === 'model' || scope.filters.model !== undefined;
  const params: Record<string, unknown> = { q0, q1 };
  let modelTerm = '';
  if (scope.filters.model !== undefined) {
    modelTerm = ' AND model = @filterModel';
    params['filterModel'] = scope.filters.model ?? '';
  }
  const day = localDaySql(scope.calendar, `quarter * ${QUARTER_HOUR_MS}`);
  const firstInGroup =
    groupBy === 'day'
      ? `(previous_quarter < 0 OR ${localDaySql(scope.calendar, `previous_quarter * ${QUARTER_HOUR_MS}`)} <> ${day})`
      : 'previous_quarter < @q0';
  const rows = db
    .prepare(
      `SELECT ${groupBy === 'day' ? day : groupBy === 'total' ? 'NULL' : keyColumnSql('model')} AS key, SUM(conversations) AS conversations
         FROM ${perModel ? 'conversation_model_entries' : 'conversation_entries'}
        WHERE quarter >= @q0 AND quarter < @q1 AND debug = 0${modelTerm} AND ${firstInGroup}
        GROUP BY key`,
    )
    .all(params) as { key: string | number | null; conversations: number }[];
  return new Map(rows.map((row) => [row.key, row.conversations]));
}

function eventConversations(db: Database.Database, scope: MetricScope, groupBy: 'day' | 'model' | 'total'): Map<string | number | null, number> {
  const where = responsesWhere(scope);
  const rows = db
    .prepare(
      `SELECT ${eventKeySql(scope, groupBy)} AS key, COUNT(DISTINCT e.conversation_id) AS conversations
         FROM ${where.from} WHERE ${where.sql}
        GROUP BY key`,
    )
    .all(where.params) as { key: string | number | null; conversations: number }[];
  return new Map(rows.map((row) => [row.key, row.conversations]));
}

const EVENT_COST_SUMS = `TOTAL(cost) AS cost, TOTAL(prompt_tokens) AS promptTokens,
                TOTAL(completion_tokens) AS completionTokens, TOTAL(total_tokens) AS totalTokens,
                COUNT(DISTINCT conversation_id) AS conversations`;

function costFromEvents(db: Database.Database, scope: MetricScope, groupBy: 'day' | 'model' | 'total'): CostGroup[] {
  const where = responsesWhere(scope);
  const rows = db
    .prepare(
      `SELECT ${eventKeySql(scope, groupBy)} AS key, ${EVENT_COST_SUMS}
         FROM ${where.from} WHERE ${where.sql}
        GROUP BY key`,
    )
    .all(where.params) as CostGroup[];
  return dayKeysToDates(rows, groupBy);
}

export function errors(db: Database.Database, scope: MetricScope, groupBy: 'model' | 'day'): ErrorGroup[] {
  const counts = 'COUNT(*) AS responses, SUM(e.status = \'error\') AS errors, SUM(e.status = \'timeout\') AS timeouts';
  if (!rollupAnswers(scope)) {
    const where = responsesWhere(scope);
    const rows = db
      .prepare(`SELECT ${eventKeySql(scope, groupBy)} AS key, ${counts} FROM ${where.from} WHERE ${where.sql} GROUP BY key`)
      .all(where.params) as ErrorGroup[];
    return dayKeysToDates(rows, groupBy);
  }
  const rows = responseSums(db, scope, groupBy).map(({ key, responses, errors, timeouts }) => ({ key, responses, errors, timeouts }));
  return dayKeysToDates(rows, groupBy) as ErrorGroup[];
}
