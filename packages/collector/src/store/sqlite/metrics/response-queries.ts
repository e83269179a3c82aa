import type Database from 'better-sqlite3';
import { formatLocalDay } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { CostGroup, CostGrouping, ErrorGroup, LatencyGroup } from '../../../metrics/metrics-queries.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { coveringIndex, RESPONSE_SQL } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

/**
 * Per-response metrics: every query reads the covering partial index
 * `events_response_metrics` (migration 003) over the range.
 */
function responsesWhere(scope: MetricScope): { from: string; sql: string; params: Record<string, unknown> } {
  const filters = eventFiltersSql('e', scope.filters, scope.includeDebug);
  return {
    from: `events e${coveringIndex('events_response_metrics', scope.filters.conversationId)}`,
    sql: `e.event = ${RESPONSE_SQL} AND e.ts >= @start AND e.ts < @end${filters.sql}`,
    params: { start: scope.startMs, end: scope.endMs, ...filters.params },
  };
}

function groupKeySql(scope: MetricScope, groupBy: 'intent' | 'model' | 'day'): string {
  if (groupBy === 'day') return localDaySql(scope.calendar, 'e.ts');
  return groupBy === 'intent' ? 'e.intent' : 'e.model';
}

/** Day keys come back as day numbers; the interface speaks `YYYY-MM-DD`. */
function dayKeysToDates<T extends { key: string | number | null }>(rows: T[], groupBy: string): T[] {
  if (groupBy !== 'day') return rows;
  return rows.map((row) => ({ ...row, key: typeof row.key === 'number' ? formatLocalDay(row.key) : row.key }));
}

/** Percentiles are PERCENTILE_CONT: linear interpolation at rank p·(n−1). */
export function latency(db: Database.Database, scope: MetricScope, groupBy: 'intent' | 'model'): LatencyGroup[] {
  const where = responsesWhere(scope);
  return db
    .prepare(
      `SELECT ${groupKeySql(scope, groupBy)} AS key, COUNT(*) AS count, AVG(e.latency_ms) AS avgMs,
              percentile_cont(e.latency_ms, 0.5) AS p50Ms,
              percentile_cont(e.latency_ms, 0.95) AS p95Ms,
              percentile_cont(e.latency_ms, 0.99) AS p99Ms
         FROM ${where.from}
        WHERE ${where.sql} AND e.latency_ms IS NOT NULL
        GROUP BY key`,
    )
    .all(where.params) as LatencyGroup[];
}

export function cost(db: Database.Database, scope: MetricScope, grouping: CostGrouping): CostGroup[] {
  const where = responsesWhere(scope);
  const sums = `TOTAL(cost) AS cost, COALESCE(SUM(prompt_tokens), 0) AS promptTokens,
                COALESCE(SUM(completion_tokens), 0) AS completionTokens, COALESCE(SUM(total_tokens), 0) AS totalTokens,
                COUNT(DISTINCT conversation_id) AS conversations`;
  if (grouping.by === 'segment') {
    // Sum per (user, conversation) first, so users' traits are looked up once per group, not once per response.
    const rows = db
      .prepare(
        `WITH per_user AS (
           SELECT e.user_key, e.conversation_id, TOTAL(e.cost) AS cost, SUM(e.prompt_tokens) AS prompt_tokens,
                  SUM(e.completion_tokens) AS completion_tokens, SUM(e.total_tokens) AS total_tokens
             FROM ${where.from} WHERE ${where.sql}
            GROUP BY e.user_key, e.conversation_id)
         SELECT json_extract(u.traits, @traitPath) AS key, ${sums}
           FROM per_user p LEFT JOIN users u ON u.user_key = p.user_key
          GROUP BY key`,
      )
      .all({ ...where.params, traitPath: `$."${grouping.trait}"` }) as (Omit<CostGroup, 'key'> & { key: unknown })[];
    return rows.map((row) => ({ ...row, key: row.key === null ? null : String(row.key) }));
  }
  const rows = db
    .prepare(
      `SELECT ${groupKeySql(scope, grouping.by)} AS key, ${sums}
         FROM ${where.from} WHERE ${where.sql}
        GROUP BY key`,
    )
    .all(where.params) as CostGroup[];
  return dayKeysToDates(rows, grouping.by);
}

export function errors(db: Database.Database, scope: MetricScope, groupBy: 'model' | 'day'): ErrorGroup[] {
  const where = responsesWhere(scope);
  const rows = db
    .prepare(
      `SELECT ${groupKeySql(scope, groupBy)} AS key, COUNT(*) AS responses,
              SUM(e.status = 'error') AS errors, SUM(e.status = 'timeout') AS timeouts
         FROM ${where.from} WHERE ${where.sql}
        GROUP BY key`,
    )
    .all(where.params) as ErrorGroup[];
  return dayKeysToDates(rows, groupBy);
}
