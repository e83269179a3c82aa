import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { SatisfactionGroup } from '../../../metrics/metrics-source.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { ACTION_SQL, rangeIndex } from './sql-constants.js';

/**
 * Feedback = `ai_user_action` with a feedback_type; intent is the action's own
 * (propagated from its prompt at ingest), model its `turn_model`: its own,
 * else that of the response of the same turn (kept by migration 004's triggers).
 */
export function satisfaction(db: Database.Database, scope: MetricScope, groupBy: 'intent' | 'model'): SatisfactionGroup[] {
  const filters = eventFiltersSql('f', scope.filters, scope);
  return db
    .prepare(
      `WITH f AS (
         SELECT a.debug, a.intent, a.conversation_id, a.turn_model AS model,
                a.feedback_type, a.rating, a.thumbs_up
           FROM events a${rangeIndex('events_feedback_turn_metrics', scope.filters.conversationId)}
          WHERE a.event = ${ACTION_SQL} AND a.feedback_type IS NOT NULL AND a.ts >= @start AND a.ts < @end)
       SELECT f.${groupBy} AS key,
              COALESCE(SUM(f.feedback_type = 'rating' AND f.rating IS NOT NULL), 0) AS ratings,
              TOTAL(CASE WHEN f.feedback_type = 'rating' THEN f.rating END) AS ratingSum,
              COALESCE(SUM(f.feedback_type = 'thumbs' AND f.thumbs_up IS NOT NULL), 0) AS thumbs,
              COALESCE(SUM(f.feedback_type = 'thumbs' AND f.thumbs_up = 1), 0) AS thumbsUp
         FROM f WHERE 1${filters.sql}
        GROUP BY f.${groupBy}`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params }) as SatisfactionGroup[];
}
