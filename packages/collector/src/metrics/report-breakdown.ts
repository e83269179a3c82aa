import { addActivity, emptyActivity } from './active-users.js';
import { breakdownName, groupByValue } from './breakdown.js';
import type { CsvCell } from './csv.js';
import type { MetricAnswer } from './metric-endpoint.js';
import { rescope } from './metric-params.js';
import type { MetricScope } from './metric-scope.js';
import type { Breakdown, CohortActivity, DailyActiveUsers, MetricsSource } from './metrics-source.js';
import { averageActivity, LONGEST_OFFSET, pooledRetention, REPORT_OFFSETS } from './report.js';
import { addCohorts, emptyCohorts } from './retention.js';

/** One value's activity series and its first-seen cohorts. */
interface ValueRows {
  activity: DailyActiveUsers[];
  cohorts: CohortActivity[];
}

/**
 * The report's headline numbers for the users of each breakdown value (top
 * 10 by users active in the range, then `other`; see breakdown.ts): users,
 * dau / wau / mau / stickiness and day 1 / 7 / 30 retention, each defined as
 * in the report without breakdown.
 */
export async function reportByBreakdown(source: MetricsSource, scope: MetricScope, breakdown: Breakdown): Promise<MetricAnswer> {
  const cohortScope = rescope(scope, scope.fromDay - LONGEST_OFFSET, scope.toDay);
  const [users, activity, cohorts] = await Promise.all([
    source.usersByValue(scope, breakdown),
    source.activeUsersByValue(scope, breakdown),
    source.retentionByValue(cohortScope, breakdown, 'first_seen', REPORT_OFFSETS),
  ]);
  // One ranking for both: a value may have only cohorts from before the range, or only activity.
  const empty = (): ValueRows => ({ activity: emptyActivity(scope), cohorts: emptyCohorts(cohortScope, REPORT_OFFSETS) });
  const byKey = new Map<string | null, ValueRows>();
  for (const row of activity) byKey.set(row.key, { ...empty(), activity: row.rows });
  for (const row of cohorts) byKey.set(row.key, { ...(byKey.get(row.key) ?? empty()), cohorts: row.rows });
  const merge = (a: ValueRows, b: ValueRows): ValueRows => ({ activity: addActivity(a.activity, b.activity), cohorts: addCohorts(a.cohorts, b.cohorts) });
  const valueGroups = groupByValue(breakdown, users, [...byKey].map(([key, rows]) => ({ key, rows })), merge, empty);
  const groups = valueGroups.map((group) => {
    const valueCohorts = group.rows.cohorts;
    return {
      value: group.value,
      users: group.users,
      ...averageActivity(group.rows.activity),
      retention: {
        d1: pooledRetention(valueCohorts, scope, 1),
        d7: pooledRetention(valueCohorts, scope, 7),
        d30: pooledRetention(valueCohorts, scope, 30),
      },
    };
  });
  const rows = groups.map((group): CsvCell[] => [
    group.value, group.users, group.dau, group.wau, group.mau, group.stickiness,
    group.retention.d1, group.retention.d7, group.retention.d30,
  ]);
  return {
    body: { breakdown: breakdownName(breakdown), groups },
    csv: { columns: ['value', 'users', 'dau', 'wau', 'mau', 'stickiness', 'retention_d1', 'retention_d7', 'retention_d30'], rows },
  };
}
