import type Database from 'better-sqlite3';
import { SDK_HEALTH_EVENT } from '../../protocol/index.js';
import { readInt32Values } from './int32-values.js';
import { healthPropertySql } from './lean-event-json.js';
import { SDK_HEALTH_LISTS } from './migrations/026-sdk-health-lists.js';
import { keyNumbering, listsInRange, quarterBounds, ReaderNumbering, StaleListWriter } from './quarter-lists.js';
import { eventComparisonsFor } from './vocabulary-codes.js';

/**
 * A report's counters as SQLite casts them (NULL when absent), whether its
 * storage is memory, and its browser: its anonymousId, else its user. The
 * one reading of a report, for the lists and for a range read from the
 * events themselves (delivery-queries.ts).
 */
export const REPORT_COLUMNS = `CAST(${healthPropertySql('queued')} AS INTEGER),
                CAST(${healthPropertySql('sent')} AS INTEGER),
                CAST(${healthPropertySql('retried')} AS INTEGER),
                CAST(${healthPropertySql('dropped_queue_full')} AS INTEGER),
                CAST(${healthPropertySql('dropped_rejected')} AS INTEGER),
                ${healthPropertySql('storage')} = 'memory',
                COALESCE(anonymous_id, user_key)`;

/** The counters a report carries, in REPORT_COLUMNS order; NULL counts as 0. */
export type ReportCounters = [queued: number | null, sent: number | null, retried: number | null, droppedQueueFull: number | null, droppedRejected: number | null];

/** How many numbers a quarter's sums hold: its reports, then the five counters. */
const SUM_COUNT = 6;
const SUM_BYTES = 8;
const SUMS_BYTES = SUM_COUNT * SUM_BYTES;
const ENTRY_BYTES = 4;

/**
 * One quarter's reports: `sums` are the reports and their counters summed
 * (SUM_COUNT values), `browsers` one entry per browser that reported, its
 * ordinal × 2, plus 1 when one of its reports said storage "memory".
 */
export interface HealthQuarter {
  quarter: number;
  sums: Float64Array;
  browsers: Int32Array;
}

/** A report of a quarter: the browser's ordinal (null when it has none yet), the counters, memory, the browser. */
type QuarterReport = [ordinal: number | null, ...counters: ReportCounters, memory: 0 | 1 | null, browser: string];

const QUARTER_REPORTS_SQL = `
  SELECT b.ordinal, ${REPORT_COLUMNS}
    FROM events e INDEXED BY events_ts
    LEFT JOIN sdk_browsers b ON b.browser = COALESCE(e.anonymous_id, e.user_key)
   WHERE e.event = '${SDK_HEALTH_EVENT}' AND e.ts >= ? AND e.ts < ?`;

/** Sums and browser entries of a quarter's reports; `numberOf` gives each browser its number. */
function aggregate(quarter: number, reports: QuarterReport[], numberOf: (ordinal: number | null, browser: string) => number): HealthQuarter {
  let count = 0;
  let queuedSum = 0;
  let sentSum = 0;
  let retriedSum = 0;
  let queueFullSum = 0;
  let rejectedSum = 0;
  const memoryOf = new Map<number, number>();
  for (const [ordinal, queued, sent, retried, droppedQueueFull, droppedRejected, memory, browser] of reports) {
    count += 1;
    queuedSum += queued ?? 0;
    sentSum += sent ?? 0;
    retriedSum += retried ?? 0;
    queueFullSum += droppedQueueFull ?? 0;
    rejectedSum += droppedRejected ?? 0;
    const number = numberOf(ordinal, browser);
    memoryOf.set(number, (memoryOf.get(number) ?? 0) | (memory === 1 ? 1 : 0));
  }
  const browsers = new Int32Array(memoryOf.size);
  let index = 0;
  for (const [number, memory] of memoryOf) browsers[index++] = number * 2 + memory;
  return { quarter, sums: Float64Array.of(count, queuedSum, sentSum, retriedSum, queueFullSum, rejectedSum), browsers };
}

function encode({ sums, browsers }: HealthQuarter): Buffer {
  const bytes = Buffer.allocUnsafe(SUMS_BYTES + browsers.length * ENTRY_BYTES);
  sums.forEach((sum, index) => bytes.writeDoubleLE(sum, index * SUM_BYTES));
  browsers.forEach((entry, index) => bytes.writeInt32LE(entry, SUMS_BYTES + index * ENTRY_BYTES));
  return bytes;
}

function decode(quarter: number, bytes: Buffer): HealthQuarter {
  const sums = new Float64Array(SUM_COUNT);
  for (let index = 0; index < SUM_COUNT; index += 1) sums[index] = bytes.readDoubleLE(index * SUM_BYTES);
  return { quarter, sums, browsers: readInt32Values(bytes.subarray(SUMS_BYTES)) };
}

/** The writer of the stale quarters' lists (rollup-materializer.ts runs it with the other stale lists); numbers new browsers. */
export function sdkHealthListsWriter(db: Database.Database): StaleListWriter {
  const quarterReports = db.prepare(eventComparisonsFor(db)(QUARTER_REPORTS_SQL)).raw();
  const numbering = keyNumbering(db, 'sdk_browsers', 'browser');
  const write = (quarter: number): Buffer | null => {
    const reports = quarterReports.all(...quarterBounds(quarter)) as QuarterReport[];
    return reports.length === 0 ? null : encode(aggregate(quarter, reports, numbering()));
  };
  return new StaleListWriter(db, SDK_HEALTH_LISTS, write);
}

/**
 * The reports of quarters [q0, q1): fresh quarters from their lists, stale
 * ones from the events; browsers with no ordinal yet get numbers above every
 * ordinal for this answer only. One read transaction, so that a list
 * rewritten meanwhile is counted exactly once. `browsers` is the size an
 * array indexed by browser number needs.
 */
export function readHealthQuarters(db: Database.Database, q0: number, q1: number): { quarters: HealthQuarter[]; browsers: number } {
  return db.transaction(() => {
    const { lists, stale } = listsInRange(db, SDK_HEALTH_LISTS, q0, q1);
    const numbering = new ReaderNumbering(((db.prepare('SELECT MAX(ordinal) FROM sdk_browsers').pluck().get() as number | null) ?? 0) + 1);
    const quarters = lists.map(([quarter, bytes]) => decode(quarter, bytes));
    const quarterReports = db.prepare(eventComparisonsFor(db)(QUARTER_REPORTS_SQL)).raw();
    for (const quarter of stale) {
      const reports = quarterReports.all(...quarterBounds(quarter)) as QuarterReport[];
      if (reports.length > 0) quarters.push(aggregate(quarter, reports, (ordinal, browser) => numbering.numberOf(ordinal, browser)));
    }
    return { quarters, browsers: numbering.size };
  })();
}
