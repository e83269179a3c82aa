import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { QuarterHourCount } from '../../../metrics/metrics-queries.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { coveringIndex, PROMPT_SQL, QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';

/**
 * Prompts per UTC quarter-hour. Without filters the activity rollup answers;
 * an intent or conversation filter needs the prompt events themselves.
 */
export function promptsByQuarterHour(db: Database.Database, scope: MetricScope): QuarterHourCount[] {
  const { intent, conversationId } = scope.filters;
  if (intent === undefined && conversationId === undefined) {
    const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
    return db
      .prepare(
        `SELECT quarter * ${QUARTER_HOUR_MS} AS startMs, SUM(prompts) AS prompts
           FROM user_activity
          WHERE quarter >= @q0 AND quarter < @q1 AND debug <= @maxDebug
          GROUP BY quarter`,
      )
      .all({ q0, q1, maxDebug: scope.includeDebug ? 1 : 0 }) as QuarterHourCount[];
  }
  const filters = eventFiltersSql('e', scope.filters, scope.includeDebug);
  return db
    .prepare(
      `SELECT e.ts / ${QUARTER_HOUR_MS} * ${QUARTER_HOUR_MS} AS startMs, COUNT(*) AS prompts
         FROM events e${coveringIndex('events_prompt_metrics', conversationId)}
        WHERE e.event = ${PROMPT_SQL} AND e.ts >= @start AND e.ts < @end${filters.sql}
        GROUP BY 1`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params }) as QuarterHourCount[];
}
