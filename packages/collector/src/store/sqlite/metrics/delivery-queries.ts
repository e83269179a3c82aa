import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { DeliveryCounts, DeliveryDay, DeliveryTotals } from '../../../metrics/metrics-source.js';
import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import { QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

const HEALTH_SQL = `'${SDK_HEALTH_EVENT}'`;

type ReportSums = Omit<DeliveryCounts, 'stored'>;

/** A report's counters, as SQLite casts them; the same browser is its anonymousId, else its user. */
const REPORT_COLUMNS = `CAST(json_extract(properties, '$.queued') AS INTEGER),
                CAST(json_extract(properties, '$.sent') AS INTEGER),
                CAST(json_extract(properties, '$.retried') AS INTEGER),
                CAST(json_extract(properties, '$.dropped_queue_full') AS INTEGER),
                CAST(json_extract(properties, '$.dropped_rejected') AS INTEGER),
                json_extract(properties, '$.storage') = 'memory',
                COALESCE(anonymous_id, user_key)`;

/** One report: its local day, counters (NULL when absent), whether its storage is memory, its browser. */
type ReportRow = [
  day: number,
  queued: number | null,
  sent: number | null,
  retried: number | null,
  droppedQueueFull: number | null,
  droppedRejected: number | null,
  memory: 0 | 1 | null,
  browser: string,
];

const NO_REPORTS: ReportSums = {
  reports: 0, queued: 0, sent: 0, retried: 0, droppedQueueFull: 0, droppedRejected: 0, reportingBrowsers: 0, memoryBrowsers: 0,
};

/** The sums of some reports, and their distinct browsers (all, and those reporting memory storage). */
class ReportTally {
  readonly sums: ReportSums = { ...NO_REPORTS };
  readonly #browsers = new Set<string>();
  readonly #memoryBrowsers = new Set<string>();

  add([, queued, sent, retried, droppedQueueFull, droppedRejected, memory, browser]: ReportRow): void {
    this.sums.reports += 1;
    this.sums.queued += queued ?? 0;
    this.sums.sent += sent ?? 0;
    this.sums.retried += retried ?? 0;
    this.sums.droppedQueueFull += droppedQueueFull ?? 0;
    this.sums.droppedRejected += droppedRejected ?? 0;
    this.#browsers.add(browser);
    if (memory === 1) this.#memoryBrowsers.add(browser);
  }

  result(): ReportSums {
    return { ...this.sums, reportingBrowsers: this.#browsers.size, memoryBrowsers: this.#memoryBrowsers.size };
  }
}

/**
 * Delivery health: the `chatmeter_sdk_health` reports of the range (through
 * `events_sdk_health`: one per page and session, few) summed per local day,
 * next to the SDK events stored (the `sdk_event_rollup` of migration 005).
 * Debug events count like any other: the SDK's counters include them.
 */
export function delivery(db: Database.Database, scope: MetricScope): DeliveryTotals {
  // One pass over the reports, summed per day and in total here: each report's JSON is parsed once.
  const reports = db
    .prepare(
      `SELECT ${localDaySql(scope.calendar, 'ts')}, ${REPORT_COLUMNS}
         FROM events INDEXED BY events_sdk_health
        WHERE event = ${HEALTH_SQL} AND ts >= @start AND ts < @end`,
    )
    .raw()
    .all({ start: scope.startMs, end: scope.endMs }) as ReportRow[];
  const total = new ReportTally();
  const tallies = new Map<number, ReportTally>();
  for (const report of reports) {
    total.add(report);
    const day = report[0];
    const tally = tallies.get(day) ?? new ReportTally();
    tally.add(report);
    tallies.set(day, tally);
  }
  const reportsByDay = new Map([...tallies].map(([day, tally]) => [day, tally.result()]));

  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const stored = db
    .prepare(
      `SELECT ${localDaySql(scope.calendar, `quarter * ${QUARTER_HOUR_MS}`)} AS day, SUM(events) AS stored
         FROM sdk_event_rollup WHERE quarter >= @q0 AND quarter < @q1
        GROUP BY day`,
    )
    .all({ q0, q1 }) as { day: number; stored: number }[];

  const storedByDay = new Map(stored.map((row) => [row.day, row.stored]));
  const days: DeliveryDay[] = [...new Set([...reportsByDay.keys(), ...storedByDay.keys()])]
    .sort((a, b) => a - b)
    .map((day) => ({ day, ...(reportsByDay.get(day) ?? NO_REPORTS), stored: storedByDay.get(day) ?? 0 }));
  return { days, total: { ...total.result(), stored: stored.reduce((sum, row) => sum + row.stored, 0) } };
}
