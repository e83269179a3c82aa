import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { SatisfactionGroup } from '../../../metrics/metrics-source.js';
import { RATING_UNITS_PER_POINT } from '../migrations/015-satisfaction-rollup.js';
import { codeColumn, vocabularyValueSql } from '../migrations/vocabularies.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { splitFlowRange } from './flow-range.js';
import { keyColumnSql, rollupKeyFiltersSql } from './rollup-filters-sql.js';
import { ACTION_CODE, quarterRange, rangeIndex } from './sql-constants.js';

/**
 * Feedback = `ai_user_action` with a feedback_type; intent is the action's own
 * (propagated from its prompt at ingest), model its `turn_model`: its own,
 * else that of the response of the same turn (kept by migration 004's triggers).
 *
 * Read from migration 015's rollups (per traffic flags, intent and turn model):
 * the range's whole UTC days from `satisfaction_days`, the quarter-hours
 * before and after them from `satisfaction_rollup` (splitFlowRange), so that
 * any zone's days are bucketed exactly and a range reads rows per day.
 * The events answer what the rollup cannot: a conversation filter (no column
 * for it), and a range holding a rating whose sum the rollup cannot keep
 * exactly (see RATING_UNITS_PER_POINT), so that ratingSum stays TOTAL() of the
 * ratings. Every fold has run before a metric reads (sqlite-metrics.ts): the
 * rollup holds every stored feedback event.
 */
export function satisfaction(db: Database.Database, scope: MetricScope, groupBy: 'intent' | 'model'): SatisfactionGroup[] {
  if (scope.filters.conversationId !== undefined) return satisfactionFromEvents(db, scope, groupBy);
  const keys = rollupKeyFiltersSql(scope, { model: true, intent: true });
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const range = splitFlowRange(q0, q1);
  const counters = `${groupBy}, ratings, rating_units, inexact_ratings, thumbs, thumbs_up`;
  const rows = db
    .prepare(
      `SELECT ${keyColumnSql(groupBy)} AS key, SUM(ratings) AS ratings, SUM(rating_units) AS ratingUnits,
              SUM(thumbs) AS thumbs, SUM(thumbs_up) AS thumbsUp, SUM(inexact_ratings) AS inexactRatings
         FROM (SELECT ${counters} FROM satisfaction_days WHERE day >= @d0 AND day < @d1${keys.sql}
               UNION ALL
               SELECT ${counters} FROM satisfaction_rollup WHERE quarter >= @q0 AND quarter < @headEnd${keys.sql}
               UNION ALL
               SELECT ${counters} FROM satisfaction_rollup WHERE quarter >= @tailStart AND quarter < @q1${keys.sql})
        GROUP BY 1`,
    )
    .all({ ...range, ...keys.params }) as (Omit<SatisfactionGroup, 'ratingSum'> & { ratingUnits: number; inexactRatings: number })[];
  if (rows.some((row) => row.inexactRatings > 0)) return satisfactionFromEvents(db, scope, groupBy);
  // Dividing by a power of two is exact: the quotient is the sum of the ratings themselves.
  return rows.map(({ key, ratings, ratingUnits, thumbs, thumbsUp }) => ({ key, ratings, ratingSum: ratingUnits / RATING_UNITS_PER_POINT, thumbs, thumbsUp }));
}

/** The intent of action `a`, decoded from the code the index holds (migration 036): reading `intent` would leave the index. */
const INTENT_FROM_CODE = vocabularyValueSql('intent', `a.${codeColumn('intent')}`);

/** Every feedback event of the range, through the covering index `events_feedback_turn_metrics` (migration 004). */
function satisfactionFromEvents(db: Database.Database, scope: MetricScope, groupBy: 'intent' | 'model'): SatisfactionGroup[] {
  const filters = eventFiltersSql('f', scope.filters, scope);
  return db
    .prepare(
      `WITH f AS (
         SELECT a.debug, ${INTENT_FROM_CODE} AS intent, a.conversation_id, a.turn_model AS model,
                a.feedback_type, a.rating, a.thumbs_up
           FROM events a${rangeIndex('events_feedback_turn_metrics', scope.filters.conversationId)}
          WHERE a.event_code = ${ACTION_CODE} AND a.feedback_type IS NOT NULL AND a.ts >= @start AND a.ts < @end)
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
