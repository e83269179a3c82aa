import type { MetricFilters, TrafficInclusion } from '../../../metrics/metric-scope.js';
import { storedId } from '../session-conversation-ids.js';
import { trafficSql } from '../traffic-flags.js';

export interface FilterSql {
  /** ` AND …` terms, empty when nothing filters. */
  sql: string;
  params: Record<string, unknown>;
}

/**
 * Turns metric filters and the traffic counted into SQL terms on an events alias. Values are bound
 * parameters; a null filter value selects rows without one.
 */
export function eventFiltersSql(alias: string, filters: MetricFilters, traffic: TrafficInclusion): FilterSql {
  const terms: string[] = [];
  const params: Record<string, unknown> = {};
  const counted = trafficSql(`${alias}.debug`, traffic);
  if (counted !== '1') terms.push(counted);
  if (filters.model !== undefined) {
    if (filters.model === null) terms.push(`${alias}.model IS NULL`);
    else {
      terms.push(`${alias}.model = @filterModel`);
      params['filterModel'] = filters.model;
    }
  }
  if (filters.intent !== undefined) {
    if (filters.intent === null) terms.push(`${alias}.intent IS NULL`);
    else {
      terms.push(`${alias}.intent = @filterIntent`);
      params['filterIntent'] = filters.intent;
    }
  }
  if (filters.conversationId !== undefined) {
    terms.push(`${alias}.conversation_id = @filterConversation`);
    params['filterConversation'] = storedId(filters.conversationId);
  }
  return { sql: terms.map((term) => ` AND ${term}`).join(''), params };
}
