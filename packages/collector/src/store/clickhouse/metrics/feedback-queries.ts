import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { SatisfactionGroup } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { ACTION, eventRowsSql } from './event-rows-sql.js';
import { conversationSql, filtersSql, rangeSql } from './scope-sql.js';

/**
 * Feedback = `ai_user_action` with a feedback_type; its intent is its own,
 * else its turn's prompt's; its model is `turn_model` (its own, else the
 * rated response's, else the turn's latest response's), which is also
 * what a model filter matches. Conditions on Nullable columns are wrapped in
 * ifNull: countIf of a Nullable condition is itself Nullable in 18.16.
 */
export async function satisfaction(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  scope: MetricScope,
  groupBy: 'intent' | 'model',
): Promise<SatisfactionGroup[]> {
  const feedback = eventRowsSql(tables, {
    events: [ACTION],
    where: `isNotNull(feedback_type) AND ${rangeSql(scope)} AND ${conversationSql(scope.filters)}`,
    columns: ['ts', 'conversation_id', 'feedback_type', 'rating', 'thumbs_up'],
    // Each derivation is a join: only the ones the grouping or a filter needs.
    intents: groupBy === 'intent' || scope.filters.intent !== undefined,
    turnModels: groupBy === 'model' || scope.filters.model !== undefined,
  });
  return connection.rows<SatisfactionGroup>(
    `SELECT ${groupBy === 'intent' ? 'eff_intent' : 'turn_model'} AS key,
            countIf(ifNull(feedback_type, '') = 'rating' AND isNotNull(rating)) AS ratings,
            sum(if(ifNull(feedback_type, '') = 'rating', ifNull(rating, 0), 0)) AS ratingSum,
            countIf(ifNull(feedback_type, '') = 'thumbs' AND isNotNull(thumbs_up)) AS thumbs,
            countIf(ifNull(feedback_type, '') = 'thumbs' AND ifNull(thumbs_up, 0) = 1) AS thumbsUp
       FROM (${feedback}) WHERE ${filtersSql(scope.filters, 'turn_model')}
      GROUP BY key`,
  );
}
