import type { DeliveryHealth } from './delivery.js';
import type { SdkHealthProperties } from './protocol/index.js';

/**
 * At most one health report a minute per page: a tab that is hidden and
 * shown again every few seconds must not send a report each time.
 */
export const HEALTH_REPORT_INTERVAL_MS = 60_000;

/**
 * The properties of the next `chatmeter_sdk_health` report: delivery counts
 * since this page's previous report (deltas, so the collector can add
 * reports up) and the queue's state now. Undefined when the previous report
 * is under a minute old, or when nothing was counted since it (a report
 * about nothing would only be noise). Health reports are themselves left out
 * of the counts (delivery skips them), so reports stop when the page is idle.
 */
export function createHealthReports(health: () => DeliveryHealth, now: () => number): () => SdkHealthProperties | undefined {
  let previous: DeliveryHealth | undefined;
  let reportedAt = -Infinity;
  return () => {
    const current = health();
    if (now() - reportedAt < HEALTH_REPORT_INTERVAL_MS) return;
    const report = { ...current };
    let counted = 0;
    for (const count of COUNTS) counted += report[count] -= previous?.[count] ?? 0;
    if (counted === 0) return;
    previous = current;
    reportedAt = now();
    return report;
  };
}

/** The counts a report carries as deltas (never negative, so they sum to 0 only when all are 0). */
const COUNTS = ['queued', 'sent', 'retried', 'dropped_queue_full', 'dropped_rejected'] as const;
