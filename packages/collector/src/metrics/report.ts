import { z } from 'zod';
import type { CsvCell } from './csv.js';
import { summarizeClassification } from './classification.js';
import { summarizeDelivery } from './delivery.js';
import { defineMetric } from './metric-endpoint.js';
import type { CohortActivity } from './metrics-source.js';
import { evaluateFlags } from './report-flags.js';
import { average, percentage, ratio } from './round.js';
import { summarizeSessions } from './sessions.js';

const REPORT_OFFSETS = [1, 7, 30] as const;

/**
 * Day-N retention over all first-seen cohorts of the range whose day + N is
 * not after `to`: retained users / cohort users (0–100, 1 decimal); null
 * when no cohort is old enough or those cohorts are empty.
 */
export function pooledRetention(cohorts: readonly CohortActivity[], offset: number): number | null {
  let retained = 0;
  let size = 0;
  let observed = false;
  for (const cohort of cohorts) {
    const count = cohort.retained.get(offset);
    if (count === undefined) continue;
    observed = true;
    retained += count;
    size += cohort.size;
  }
  // No cohort old enough, or only empty cohorts: nothing was measured.
  return observed && size > 0 ? percentage(retained, size) : null;
}

/**
 * The range at a glance. dau / wau / mau are the averages of the daily
 * series over the range (2 decimals); stickiness = average DAU / average MAU;
 * retention pools the first-seen cohorts; sessions as `/sessions`; delivery
 * as the totals of `/delivery`; flags
 * compare with support-bot references.
 */
export const reportMetric = defineMetric({
  path: 'report',
  filters: [],
  params: z.object({}),
  async compute({ source, scope }) {
    const [activity, cohorts, sessionTotals, classificationTotals, deliveryTotals] = await Promise.all([
      source.activeUsers(scope),
      source.retention(scope, 'first_seen', REPORT_OFFSETS),
      source.sessionTotals(scope),
      source.classification(scope),
      source.delivery(scope),
    ]);
    const days = activity.length;
    const sum = (pick: (row: (typeof activity)[number]) => number) => activity.reduce((total, row) => total + pick(row), 0);
    const dau = average(sum((row) => row.dau), days);
    const wau = average(sum((row) => row.wau), days);
    const mau = average(sum((row) => row.mau), days);
    const stickiness = ratio(sum((row) => row.dau), sum((row) => row.mau));
    const retention = { d1: pooledRetention(cohorts, 1), d7: pooledRetention(cohorts, 7), d30: pooledRetention(cohorts, 30) };
    const sessions = summarizeSessions(sessionTotals);
    const { reports, sent, stored, dropped, memory_share: memoryShare } = summarizeDelivery(deliveryTotals.total);
    const delivery = { reports, sent, stored, dropped, memory_share: memoryShare };
    const flags = evaluateFlags({
      stickiness,
      retentionDay1: retention.d1,
      retentionDay7: retention.d7,
      sessions: sessions.sessions,
      singleMessageShare: sessions.single_message_share,
      avgMessages: sessions.avg_messages,
      avgDurationSeconds: sessions.avg_duration_seconds,
      deliveryReports: deliveryTotals.total.reports,
      droppedEvents: delivery.dropped,
    });
    const intentSamplingRate = summarizeClassification(classificationTotals).sampling_rate;
    const body = { dau, wau, mau, stickiness, retention, sessions, intent_sampling_rate: intentSamplingRate, delivery, flags };

    const rows: CsvCell[][] = [
      ['dau', dau, null, null],
      ['wau', wau, null, null],
      ['mau', mau, null, null],
      ['retention_d30', retention.d30, null, null],
      ...Object.entries(sessions).map(([name, value]): CsvCell[] => [`sessions.${name}`, value, null, null]),
      ['intent_sampling_rate', intentSamplingRate, null, null],
      ...Object.entries(delivery).map(([name, value]): CsvCell[] => [`delivery.${name}`, value, null, null]),
      ...flags.map((flag): CsvCell[] => [flag.metric, flag.value, flag.status, flag.reference]),
    ];
    return { body, csv: { columns: ['metric', 'value', 'status', 'reference'], rows } };
  },
});
