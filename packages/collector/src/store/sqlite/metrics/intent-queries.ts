import type Database from 'better-sqlite3';
import { formatLocalDay, DAY_MS } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ClassificationTotals, IntentFlow, KeyedCount } from '../../../metrics/metrics-queries.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { coveringIndex, PROMPT_SQL } from './sql-constants.js';

export function intentCounts(db: Database.Database, scope: MetricScope): KeyedCount[] {
  const filters = eventFiltersSql('e', scope.filters, scope.includeDebug);
  return db
    .prepare(
      `SELECT e.intent AS key, COUNT(*) AS count
         FROM events e${coveringIndex('events_prompt_metrics', scope.filters.conversationId)}
        WHERE e.event = ${PROMPT_SQL} AND e.ts >= @start AND e.ts < @end${filters.sql}
        GROUP BY e.intent`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params }) as KeyedCount[];
}

/**
 * `intent_sampled` is 1 for prompts classified (or sent classified), 0 for
 * prompts the sampling policy skipped, NULL while still queued. Classifier
 * usage is kept per UTC day, so it covers the UTC days the range touches.
 */
export function classification(db: Database.Database, scope: MetricScope): ClassificationTotals {
  const filters = eventFiltersSql('e', scope.filters, scope.includeDebug);
  const prompts = db
    .prepare(
      `SELECT COUNT(*) AS prompts,
              COALESCE(SUM(e.intent_sampled = 1), 0) AS sampled,
              COALESCE(SUM(e.intent_sampled = 0), 0) AS notSampled
         FROM events e${coveringIndex('events_prompt_metrics', scope.filters.conversationId)}
        WHERE e.event = ${PROMPT_SQL} AND e.ts >= @start AND e.ts < @end${filters.sql}`,
    )
    .get({ start: scope.startMs, end: scope.endMs, ...filters.params }) as Pick<ClassificationTotals, 'prompts' | 'sampled' | 'notSampled'>;
  const usage = db
    .prepare(
      `SELECT TOTAL(cost) AS classifierCost, COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS classifierTokens
         FROM classification_usage WHERE day >= @fromDate AND day <= @toDate`,
    )
    .get({
      fromDate: formatLocalDay(Math.floor(scope.startMs / DAY_MS)),
      toDate: formatLocalDay(Math.floor((scope.endMs - 1) / DAY_MS)),
    }) as Pick<ClassificationTotals, 'classifierCost' | 'classifierTokens'>;
  return { ...prompts, ...usage };
}

/** Pairs of consecutive prompts (by time) in the same conversation, both inside the range. */
export function intentFlows(db: Database.Database, scope: MetricScope): IntentFlow[] {
  const filters = eventFiltersSql('e', scope.filters, scope.includeDebug);
  return db
    .prepare(
      `WITH ordered AS (
         SELECT e.intent, LAG(e.intent) OVER turn AS previous, ROW_NUMBER() OVER turn AS position
           FROM events e${coveringIndex('events_prompt_metrics', scope.filters.conversationId)}
          WHERE e.event = ${PROMPT_SQL} AND e.ts >= @start AND e.ts < @end AND e.conversation_id IS NOT NULL${filters.sql}
         WINDOW turn AS (PARTITION BY e.conversation_id ORDER BY e.ts, e.id))
       SELECT previous AS "from", intent AS "to", COUNT(*) AS count
         FROM ordered WHERE position > 1
        GROUP BY previous, intent`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params }) as IntentFlow[];
}
