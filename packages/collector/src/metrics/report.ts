import { z } from 'zod';
import { breakdownParam } from './breakdown.js';
import type { CsvCell } from './csv.js';
import { summarizeClassification } from './classification.js';
import { summarizeDelivery } from './delivery.js';
import { defineMetric } from './metric-endpoint.js';
import type { CohortActivity, DailyActiveUsers } from './metrics-source.js';
import { rescope } from './metric-params.js';
import type { MetricScope } from './metric-scope.js';
import { computeAiHealth } from './ai-health.js';
import { changePercent } from './change-percent.js';
import { reportByBreakdown } from './report-breakdown.js';
import { evaluateAiFlags, evaluateFlags } from './report-flags.js';
import { average, percentage, ratio, roundTo } from './round.js';
import { summarizeSessions } from './sessions.js';

export const REPORT_OFFSETS = [1, 7, 30] as const;
/** The report looks this far back for cohorts: its longest retention day. */
export const LONGEST_OFFSET = Math.max(...REPORT_OFFSETS);

/**
 * Day-N retention of the report: the first-seen cohorts whose day + N falls
 * inside the range (cohort days from − N … to − N, so also cohorts from before
 * the range), pooled: retained users / cohort users (0–100, 1 decimal); null
 * when those cohorts have no users.
 */
export function pooledRetention(cohorts: readonly CohortActivity[], scope: MetricScope, offset: number): number | null {
  let retained = 0;
  let size = 0;
  for (const cohort of cohorts) {
    if (cohort.day < scope.fromDay - offset || cohort.day > scope.toDay - offset) continue;
    retained += cohort.retained.get(offset) ?? 0;
    size += cohort.size;
  }
  return size > 0 ? percentage(retained, size) : null;
}

/** Kept here for the modules that read it from the report. */
export { changePercent };

/** dau / wau / mau: the averages of the daily series (2 decimals); stickiness = average DAU / average MAU. */
export function averageActivity(activity: readonly DailyActiveUsers[]) {
  const sum = (pick: (row: DailyActiveUsers) => number) => activity.reduce((total, row) => total + pick(row), 0);
  return {
    dau: average(sum((row) => row.dau), activity.length),
    wau: average(sum((row) => row.wau), activity.length),
    mau: average(sum((row) => row.mau), activity.length),
    stickiness: ratio(sum((row) => row.dau), sum((row) => row.mau)),
  };
}

/**
 * The range at a glance. dau / wau / mau are the averages of the daily
 * series over the range (2 decimals); stickiness = average DAU / average MAU;
 * `previous` has the same figures for the period of the same length just
 * before the range and `change` the change of each in percent; retention
 * pools the first-seen cohorts whose day N falls inside the range; sessions as
 * `/sessions`; delivery as the totals of `/delivery`; `ai` the AI-side
 * health (ai-health.ts); flags compare with support-bot references and AI
 * health thresholds. With `breakdown`, the headline numbers per value
 * instead (report-breakdown.ts).
 */
export const reportMetric = defineMetric({
  path: 'report',
  filters: [],
  params: z.object({ breakdown: breakdownParam.optional() }),
  async compute({ source, scope, params }) {
    if (params.breakdown !== undefined) return reportByBreakdown(source, scope, params.breakdown);
    const days = scope.toDay - scope.fromDay + 1;
    // Every query at once, the AI-side ones included, for an engine that answers several at a time (SQLite's reader
    // threads); the AI side first, since its percentiles read every response of the range and take longest.
    const [ai, [activity, previousActivity, cohorts, sessionTotals, classificationTotals, deliveryTotals]] = await Promise.all([
      computeAiHealth(source, scope),
      Promise.all([
        source.activeUsers(scope),
        source.activeUsers(rescope(scope, scope.fromDay - days, scope.fromDay - 1)),
        source.retention(rescope(scope, scope.fromDay - LONGEST_OFFSET, scope.toDay), 'first_seen', REPORT_OFFSETS),
        source.sessionTotals(scope),
        source.classification(scope),
        source.delivery(scope),
      ]),
    ]);
    const { dau, wau, mau, stickiness } = averageActivity(activity);
    const previous = averageActivity(previousActivity);
    const change = {
      dau: changePercent(dau, previous.dau),
      wau: changePercent(wau, previous.wau),
      mau: changePercent(mau, previous.mau),
      stickiness: changePercent(stickiness, previous.stickiness),
    };
    const retention = {
      d1: pooledRetention(cohorts, scope, 1),
      d7: pooledRetention(cohorts, scope, 7),
      d30: pooledRetention(cohorts, scope, 30),
    };
    const sessions = summarizeSessions(sessionTotals);
    const { reports, sent, stored, dropped, memory_share: memoryShare } = summarizeDelivery(deliveryTotals.total);
    const delivery = { reports, sent, stored, dropped, memory_share: memoryShare };
    const flags = evaluateFlags({
      stickiness,
      retentionDay1: retention.d1,
      retentionDay7: retention.d7,
      sessions: sessions.sessions,
      singlePromptShare: sessions.single_prompt_share,
      avgMessages: sessions.avg_messages,
      avgDurationSeconds: sessions.avg_duration_seconds,
      deliveryReports: deliveryTotals.total.reports,
      droppedEvents: delivery.dropped,
    }).concat(evaluateAiFlags(ai));
    const intentSamplingRate = summarizeClassification(classificationTotals).sampling_rate;
    const body = { dau, wau, mau, stickiness, previous, change, retention, sessions, intent_sampling_rate: intentSamplingRate, delivery, ai, flags };

    const rows: CsvCell[][] = [
      ['dau', dau, null, null],
      ['wau', wau, null, null],
      ['mau', mau, null, null],
      ...Object.entries(previous).map(([name, value]): CsvCell[] => [`previous.${name}`, value, null, null]),
      ...Object.entries(change).map(([name, value]): CsvCell[] => [`change.${name}`, value, null, null]),
      ['retention_d1', retention.d1, null, null],
      ['retention_d7', retention.d7, null, null],
      ['retention_d30', retention.d30, null, null],
      ...Object.entries(sessions).map(([name, value]): CsvCell[] => [`sessions.${name}`, value, null, null]),
      ['intent_sampling_rate', intentSamplingRate, null, null],
      ...Object.entries(delivery).map(([name, value]): CsvCell[] => [`delivery.${name}`, value, null, null]),
      ...Object.entries(ai).map(([name, value]): CsvCell[] => [`ai.${name}`, value, null, null]),
      ...flags.map((flag): CsvCell[] => [flag.metric, flag.value, flag.status, flag.reference]),
    ];
    return { body, csv: { columns: ['metric', 'value', 'status', 'reference'], rows } };
  },
});
