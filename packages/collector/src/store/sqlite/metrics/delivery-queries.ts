import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { DeliveryCounts, DeliveryDay, DeliveryTotals } from '../../../metrics/metrics-source.js';
import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import { QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

const HEALTH_SQL = `'${SDK_HEALTH_EVENT}'`;

type ReportSums = Omit<DeliveryCounts, 'stored'>;

/** A report's counters; the same browser is its anonymousId, else its user. */
const REPORT_COLUMNS = `CAST(json_extract(properties, '$.queued') AS INTEGER) AS queued,
                CAST(json_extract(properties, '$.sent') AS INTEGER) AS sent,
                CAST(json_extract(properties, '$.retried') AS INTEGER) AS retried,
                CAST(json_extract(properties, '$.dropped_queue_full') AS INTEGER) AS dropped_queue_full,
                CAST(json_extract(properties, '$.dropped_rejected') AS INTEGER) AS dropped_rejected,
                json_extract(properties, '$.storage') AS storage,
                COALESCE(anonymous_id, user_key) AS browser`;

const REPORT_SUMS = `COUNT(*) AS reports, COALESCE(SUM(queued), 0) AS queued, COALESCE(SUM(sent), 0) AS sent,
              COALESCE(SUM(retried), 0) AS retried, COALESCE(SUM(dropped_queue_full), 0) AS droppedQueueFull,
              COALESCE(SUM(dropped_rejected), 0) AS droppedRejected, COUNT(DISTINCT browser) AS reportingBrowsers,
              COUNT(DISTINCT CASE WHEN storage = 'memory' THEN browser END) AS memoryBrowsers`;

const NO_REPORTS: ReportSums = {
  reports: 0, queued: 0, sent: 0, retried: 0, droppedQueueFull: 0, droppedRejected: 0, reportingBrowsers: 0, memoryBrowsers: 0,
};

/**
 * Delivery health: the `chatmeter_sdk_health` reports of the range (through
 * `events_sdk_health`: one per page and session, few) summed per local day,
 * next to the SDK events stored (the `sdk_event_rollup` of migration 005).
 * Debug events count like any other: the SDK's counters include them.
 */
export function delivery(db: Database.Database, scope: MetricScope): DeliveryTotals {
  const range = { start: scope.startMs, end: scope.endMs };
  const reports = `SELECT ${localDaySql(scope.calendar, 'ts')} AS day, ${REPORT_COLUMNS}
                     FROM events INDEXED BY events_sdk_health
                    WHERE event = ${HEALTH_SQL} AND ts >= @start AND ts < @end`;
  const perDay = db.prepare(`SELECT day, ${REPORT_SUMS} FROM (${reports}) GROUP BY day`).all(range) as (ReportSums & { day: number })[];
  const total = (db.prepare(`SELECT ${REPORT_SUMS} FROM (${reports})`).get(range) as ReportSums | undefined) ?? NO_REPORTS;

  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const stored = db
    .prepare(
      `SELECT ${localDaySql(scope.calendar, `quarter * ${QUARTER_HOUR_MS}`)} AS day, SUM(events) AS stored
         FROM sdk_event_rollup WHERE quarter >= @q0 AND quarter < @q1
        GROUP BY day`,
    )
    .all({ q0, q1 }) as { day: number; stored: number }[];

  const storedByDay = new Map(stored.map((row) => [row.day, row.stored]));
  const reportsByDay = new Map(perDay.map(({ day, ...sums }) => [day, sums]));
  const days: DeliveryDay[] = [...new Set([...reportsByDay.keys(), ...storedByDay.keys()])]
    .sort((a, b) => a - b)
    .map((day) => ({ day, ...(reportsByDay.get(day) ?? NO_REPORTS), stored: storedByDay.get(day) ?? 0 }));
  return { days, total: { ...total, stored: stored.reduce((sum, row) => sum + row.stored, 0) } };
}
