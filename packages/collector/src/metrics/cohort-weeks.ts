import type { LocalDay } from './local-day.js';
import type { CohortActivity } from './metrics-source.js';

/**
 * The Monday of the ISO week (Monday to Sunday) a local day falls in. Day 0,
 * 1970-01-01, was a Thursday, so Monday is 3 days before it.
 */
export function mondayOf(day: LocalDay): LocalDay {
  return day - ((((day + 3) % 7) + 7) % 7);
}

/**
 * Pools several cohorts into one, as Amplitude and PostHog do for a week row
 * or the summary row: size = the sum of the sizes; retained on day N = the
 * sum over the cohorts observed on day N (day + N not after `to`), with
 * their sizes, so the resulting rate is the average of the cohorts' rates
 * weighted by cohort size. A day N no cohort was observed on stays unobserved.
 */
export function poolCohorts(day: LocalDay, cohorts: readonly CohortActivity[]): PooledCohort {
  const retained = new Map<number, number>();
  const observedSize = new Map<number, number>();
  let size = 0;
  for (const cohort of cohorts) {
    size += cohort.size;
    for (const [offset, count] of cohort.retained) {
      retained.set(offset, (retained.get(offset) ?? 0) + count);
      observedSize.set(offset, (observedSize.get(offset) ?? 0) + cohort.size);
    }
  }
  return { day, size, retained, observedSize };
}

export interface PooledCohort extends CohortActivity {
  /** offset N → users of the cohorts observed on day N (the denominator of day-N retention). */
  observedSize: ReadonlyMap<number, number>;
}

/** Daily cohorts grouped by ISO week (Monday start); each week row is dated by its Monday. */
export function cohortsByWeek(cohorts: readonly CohortActivity[]): PooledCohort[] {
  const weeks = new Map<LocalDay, CohortActivity[]>();
  for (const cohort of cohorts) {
    const monday = mondayOf(cohort.day);
    weeks.set(monday, [...(weeks.get(monday) ?? []), cohort]);
  }
  return [...weeks].sort(([a], [b]) => a - b).map(([monday, days]) => poolCohorts(monday, days));
}
