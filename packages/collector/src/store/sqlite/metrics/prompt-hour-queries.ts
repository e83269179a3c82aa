import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { QuarterHourCount } from '../../../metrics/metrics-source.js';
import { andTrafficSql } from '../traffic-flags.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { rollupFiltersSql } from './rollup-filters-sql.js';
import { PROMPT_SQL, QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';

/**
 * Prompts per UTC quarter-hour. Without filters the activity rollup answers,
 * with an intent filter the prompt rollup of migration 004; a conversation
 * filter reads the conversation's prompts through `events_conversation`.
 */
export function promptsByQuarterHour(db: Database.Database, scope: MetricScope): QuarterHourCount[] {
  const { intent, conversationId } = scope.filters;
  if (intent === undefined && conversationId === undefined) {
    const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
    return db
      .prepare(
        `SELECT quarter * ${QUARTER_HOUR_MS} AS startMs, SUM(prompts) AS prompts
           FROM user_activity
          WHERE quarter >= @q0 AND quarter < @q1${andTrafficSql('debug', scope)}
          GROUP BY quarter`,
      )
      .all({ q0, q1 }) as QuarterHourCount[];
  }
  if (conversationId === undefined) {
    const filters = rollupFiltersSql(scope, { intent: true });
    return db
      .prepare(`SELECT quarter * ${QUARTER_HOUR_MS} AS startMs, SUM(prompts) AS prompts FROM prompt_rollup WHERE ${filters.sql} GROUP BY quarter`)
      .all(filters.params) as QuarterHourCount[];
  }
  const filters = eventFiltersSql('e', scope.filters, scope);
  return db
    .prepare(
      `SELECT e.ts / ${QUARTER_HOUR_MS} * ${QUARTER_HOUR_MS} AS startMs, COUNT(*) AS prompts
         FROM events e
        WHERE e.event = ${PROMPT_SQL} AND e.ts >= @start AND e.ts < @end${filters.sql}
        GROUP BY 1`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params }) as QuarterHourCount[];
}
