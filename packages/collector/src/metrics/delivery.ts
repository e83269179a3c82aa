import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { daysBetween, formatLocalDay } from './local-day.js';
import { defineMetric } from './metric-endpoint.js';
import type { DeliveryCounts } from './metrics-source.js';
import { ratio } from './round.js';

const DAY_COLUMNS = [
  'date', 'reports', 'queued', 'sent', 'stored', 'retried', 'dropped', 'dropped_queue_full', 'dropped_rejected',
  'reporting_browsers', 'memory_browsers', 'memory_share',
] as const;

/**
 * Delivery health from the SDK's own `chatmeter_sdk_health` reports, whose
 * counters are deltas since the page's previous report, so they add up:
 * queued, sent (accepted by the collector), retried and dropped (queue full
 * or rejected) events per local day of the report, next to `stored` = events
 * stored that day whose `context.library.name` is the Chatmeter SDK's (health
 * reports excepted). memory_share = browsers (anonymousId, else user) with a
 * report saying storage = memory / browsers that reported (0–1); over the
 * range a browser counts once. Debug events count like any other.
 */
export function summarizeDelivery(counts: DeliveryCounts) {
  return {
    reports: counts.reports,
    queued: counts.queued,
    sent: counts.sent,
    stored: counts.stored,
    retried: counts.retried,
    dropped: counts.droppedQueueFull + counts.droppedRejected,
    dropped_queue_full: counts.droppedQueueFull,
    dropped_rejected: counts.droppedRejected,
    reporting_browsers: counts.reportingBrowsers,
    memory_browsers: counts.memoryBrowsers,
    memory_share: ratio(counts.memoryBrowsers, counts.reportingBrowsers),
  };
}

const NOTHING: DeliveryCounts = {
  reports: 0, queued: 0, sent: 0, retried: 0, droppedQueueFull: 0, droppedRejected: 0, stored: 0, reportingBrowsers: 0, memoryBrowsers: 0,
};

export const deliveryMetric = defineMetric({
  path: 'delivery',
  filters: [],
  params: z.object({}),
  async compute({ source, scope }) {
    const answer = await source.delivery(scope);
    const byDay = new Map(answer.days.map((row) => [row.day, row]));
    const days = daysBetween(scope.fromDay, scope.toDay).map((day) => ({
      date: formatLocalDay(day),
      ...summarizeDelivery(byDay.get(day) ?? NOTHING),
    }));
    return { body: { total: summarizeDelivery(answer.total), days }, csv: csvFromRecords(DAY_COLUMNS, days) };
  },
});
