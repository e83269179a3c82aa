import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { DeliveryCounts, DeliveryDay, DeliveryTotals } from '../../../metrics/metrics-source.js';
import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import { listQuarters } from '../quarter-lists.js';
import { type HealthQuarter, readHealthQuarters, REPORT_COLUMNS, type ReportCounters } from '../sdk-health-lists.js';
import { eventComparisonsFor } from '../vocabulary-codes.js';
import { QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

type ReportSums = Omit<DeliveryCounts, 'stored'>;

/** One report: its local day, counters, whether its storage is memory, its browser (REPORT_COLUMNS). */
type ReportRow = [day: number, ...counters: ReportCounters, memory: 0 | 1 | null, browser: string];

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
 * Delivery health: the `chatmeter_sdk_health` reports of the range summed
 * per local day, next to the SDK events stored (the `sdk_event_rollup` of
 * migration 005). A range on quarter-hours reads the reports' lists
 * (migration 026, sdk-health-lists.ts); any other range the reports
 * themselves. Debug events count like any other: the SDK's counters include them.
 */
export function delivery(db: Database.Database, scope: MetricScope): DeliveryTotals {
  const quarters = listQuarters(scope.startMs, scope.endMs);
  const reports = quarters === null ? reportsFromEvents(db, scope) : reportsFromLists(db, scope, quarters.q0, quarters.q1);
  return withStored(db, scope, reports);
}

/** The counters a day's reports add up to the total (the browsers are counted apart). */
const SUMMED = ['reports', 'queued', 'sent', 'retried', 'droppedQueueFull', 'droppedRejected'] as const;

/** The report sums of a range, per local day and in total. */
interface RangeReports {
  byDay: Map<number, ReportSums>;
  total: ReportSums;
}

/**
 * The reports of the range from the events (through `events_ts`, which holds each event's code beside its time), each report's JSON parsed once.
 * The name is compared as the schema stores it: migration 026's test reads reports on a database before 035.
 */
export function reportsFromEvents(db: Database.Database, scope: MetricScope): RangeReports {
  const reports = db
    .prepare(
      eventComparisonsFor(db)(`SELECT ${localDaySql(scope.calendar, 'ts')}, ${REPORT_COLUMNS}
         FROM events INDEXED BY events_ts
        WHERE event = '${SDK_HEALTH_EVENT}' AND ts >= @start AND ts < @end`),
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
  return { byDay: new Map([...tallies].map(([day, tally]) => [day, tally.result()])), total: total.result() };
}

/**
 * The reports of quarters [q0, q1) from their lists. A quarter lies in one
 * local day (zone offsets are whole quarter-hours); a browser counts once
 * per day and once in the total, through arrays indexed by its number that
 * remember the last day (group) that counted it.
 */
export function reportsFromLists(db: Database.Database, scope: MetricScope, q0: number, q1: number): RangeReports {
  const { quarters, browsers } = readHealthQuarters(db, q0, q1);
  const quartersByDay = new Map<number, HealthQuarter[]>();
  for (const quarter of quarters) {
    const day = scope.calendar.dayOf(quarter.quarter * QUARTER_HOUR_MS);
    const ofDay = quartersByDay.get(day);
    if (ofDay === undefined) quartersByDay.set(day, [quarter]);
    else ofDay.push(quarter);
  }
  const countedOnDay = new Int32Array(browsers).fill(-1);
  const countedMemoryOnDay = new Int32Array(browsers).fill(-1);
  /** Per browser: 1 once counted in the total, 2 once counted as a memory browser. */
  const countedInTotal = new Uint8Array(browsers);
  const total: ReportSums = { ...NO_REPORTS };
  const byDay = new Map<number, ReportSums>();
  let group = 0;
  for (const [day, ofDay] of quartersByDay) {
    const sums: ReportSums = { ...NO_REPORTS };
    for (const { sums: quarterSums, browsers: entries } of ofDay) {
      // A quarter's sums are in SUMMED's order (sdk-health-lists.ts).
      SUMMED.forEach((key, index) => (sums[key] += quarterSums[index] as number));
      for (const entry of entries) {
        const browser = entry >> 1;
        const memory = (entry & 1) === 1;
        if (countedOnDay[browser] !== group) {
          countedOnDay[browser] = group;
          sums.reportingBrowsers += 1;
        }
        if (memory && countedMemoryOnDay[browser] !== group) {
          countedMemoryOnDay[browser] = group;
          sums.memoryBrowsers += 1;
        }
        const counted = countedInTotal[browser] as number;
        if ((counted & 1) === 0) total.reportingBrowsers += 1;
        if (memory && (counted & 2) === 0) total.memoryBrowsers += 1;
        countedInTotal[browser] = counted | 1 | (memory ? 2 : 0);
      }
    }
    for (const key of SUMMED) total[key] += sums[key];
    byDay.set(day, sums);
    group += 1;
  }
  return { byDay, total };
}

/** The answer: the reports per day next to the SDK events stored per day. */
function withStored(db: Database.Database, scope: MetricScope, reports: RangeReports): DeliveryTotals {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const stored = db
    .prepare(
      `SELECT ${localDaySql(scope.calendar, `quarter * ${QUARTER_HOUR_MS}`)} AS day, SUM(events) AS stored
         FROM sdk_event_rollup WHERE quarter >= @q0 AND quarter < @q1
        GROUP BY day`,
    )
    .all({ q0, q1 }) as { day: number; stored: number }[];

  const storedByDay = new Map(stored.map((row) => [row.day, row.stored]));
  const days: DeliveryDay[] = [...new Set([...reports.byDay.keys(), ...storedByDay.keys()])]
    .sort((a, b) => a - b)
    .map((day) => ({ day, ...(reports.byDay.get(day) ?? NO_REPORTS), stored: storedByDay.get(day) ?? 0 }));
  return { days, total: { ...reports.total, stored: stored.reduce((sum, row) => sum + row.stored, 0) } };
}
