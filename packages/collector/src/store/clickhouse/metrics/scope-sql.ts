import type { MetricFilters, MetricScope, TrafficInclusion } from '../../../metrics/metric-scope.js';
import { sqlValue } from '../sql-value.js';
import { trafficFilterSql } from '../traffic.js';

/** Stored columns: events with `ts` in [startMs, endMs) and traffic the scope keeps. */
export function rangeSql(scope: Pick<MetricScope, 'startMs' | 'endMs'> & TrafficInclusion): string {
  return `ts >= ${sqlValue(scope.startMs)} AND ts < ${sqlValue(scope.endMs)} AND ${trafficFilterSql(scope)}`;
}

/**
 * Metric filters as SQL terms on derived rows (`eff_intent`, and `model`
 * or whatever column stands for the model); a null value selects rows without one.
 */
export function filtersSql(filters: MetricFilters, modelColumn = 'model'): string {
  const terms: string[] = [];
  if (filters.model !== undefined) terms.push(filters.model === null ? `isNull(${modelColumn})` : `${modelColumn} = ${sqlValue(filters.model)}`);
  if (filters.intent !== undefined) terms.push(filters.intent === null ? 'isNull(eff_intent)' : `eff_intent = ${sqlValue(filters.intent)}`);
  if (filters.conversationId !== undefined) terms.push(`conversation_id = ${sqlValue(filters.conversationId)}`);
  return terms.length === 0 ? '1' : terms.join(' AND ');
}

/** The conversation filter as a term on stored columns (it narrows what is read before anything is derived). */
export function conversationSql(filters: MetricFilters): string {
  return filters.conversationId === undefined ? '1' : `conversation_id = ${sqlValue(filters.conversationId)}`;
}
