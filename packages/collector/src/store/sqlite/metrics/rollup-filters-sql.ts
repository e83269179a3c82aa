import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { FilterSql } from './event-filters-sql.js';
import { trafficSql } from '../traffic-flags.js';
import { quarterRange } from './sql-constants.js';

/** How the rollups of migration 004 key a missing model or intent (their keys cannot be NULL). */
export const NONE_KEY = `''`;

/** A rollup key column as the interface speaks it: '' → null. */
export function keyColumnSql(column: string): string {
  return `NULLIF(${column}, ${NONE_KEY})`;
}

/**
 * The range and filters as SQL terms on a quarter-hour rollup with `quarter`,
 * `debug` and (when `columns` says so) `model` / `intent` key columns. A
 * conversation filter has no rollup column: callers read events instead.
 */
export function rollupFiltersSql(scope: MetricScope, columns: { model?: boolean; intent?: boolean } = {}): FilterSql {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const keys = rollupKeyFiltersSql(scope, columns);
  return { sql: `quarter >= @q0 AND quarter < @q1${keys.sql}`, params: { q0, q1, ...keys.params } };
}

/** The traffic and filters alone, as ` AND …` terms (empty when nothing filters), for a rollup read by other periods than quarters. */
export function rollupKeyFiltersSql(scope: MetricScope, columns: { model?: boolean; intent?: boolean } = {}): FilterSql {
  const terms: string[] = [];
  const params: Record<string, unknown> = {};
  const counted = trafficSql('debug', scope);
  if (counted !== '1') terms.push(counted);
  const { model, intent } = scope.filters;
  if (columns.model === true && model !== undefined) {
    terms.push('model = @filterModel');
    params['filterModel'] = model ?? '';
  }
  if (columns.intent === true && intent !== undefined) {
    terms.push('intent = @filterIntent');
    params['filterIntent'] = intent ?? '';
  }
  return { sql: terms.map((term) => ` AND ${term}`).join(''), params };
}
