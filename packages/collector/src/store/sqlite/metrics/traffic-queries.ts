import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ExcludedUsers } from '../../../metrics/metrics-source.js';
import { TRAFFIC_BIT } from '../traffic-flags.js';
import { quarterRange } from './sql-constants.js';

/** Users with bot or internal prompts in the range that the scope leaves out, from the activity rollup. */
export function excludedUsers(db: Database.Database, scope: MetricScope): ExcludedUsers {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const bot = scope.includeBots ? 0 : TRAFFIC_BIT.bot;
  const internal = scope.includeInternal ? 0 : TRAFFIC_BIT.internal;
  if (bot === 0 && internal === 0) return { bots: 0, internal: 0 };
  return db
    .prepare(
      `SELECT COUNT(DISTINCT CASE WHEN debug & ${bot} THEN user_key END) AS bots,
              COUNT(DISTINCT CASE WHEN debug & ${internal} THEN user_key END) AS internal
         FROM user_activity
        WHERE quarter >= @q0 AND quarter < @q1 AND debug & ${bot | internal}`,
    )
    .get({ q0, q1 }) as ExcludedUsers;
}
