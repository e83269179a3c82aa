import type { LocalDay } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { DeliveryCounts, DeliveryDay, DeliveryTotals } from '../../../metrics/metrics-source.js';
import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { eventRowsSql } from './event-rows-sql.js';
import { localDaySql } from './zone-sql.js';

type ReportSums = Omit<DeliveryCounts, 'stored'>;

interface Report {
  day: LocalDay;
  browser: string;
  properties: string;
}

/**
 * Delivery health: the `chatmeter_sdk_health` reports of the range (few: one
 * per page and session), summed here per local day, next to the SDK events
 * stored per local day. Debug events count like any other: the SDK's
 * counters include them.
 */
export async function delivery(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<DeliveryTotals> {
  const range = `ts >= ${sqlValue(scope.startMs)} AND ts < ${sqlValue(scope.endMs)}`;
  const health = eventRowsSql(tables, { events: [SDK_HEALTH_EVENT], where: range, columns: ['ts', 'properties'], userKey: true });
  const sdkEvents = eventRowsSql(tables, { where: `from_sdk = 1 AND ${range}`, columns: ['ts'] });
  const [reports, stored] = await Promise.all([
    connection.rows<Report>(`SELECT ${localDaySql(scope.calendar, 'ts')} AS day, ifNull(anonymous_id, user_key) AS browser, properties FROM (${health})`),
    connection.rows<{ day: LocalDay; stored: number }>(`SELECT ${localDaySql(scope.calendar, 'ts')} AS day, count() AS stored FROM (${sdkEvents}) GROUP BY day`),
  ]);
  const reportsByDay = new Map<LocalDay, Report[]>();
  for (const report of reports) reportsByDay.set(report.day, [...(reportsByDay.get(report.day) ?? []), report]);
  const storedByDay = new Map(stored.map((row) => [row.day, row.stored]));
  const days: DeliveryDay[] = [...new Set([...reportsByDay.keys(), ...storedByDay.keys()])]
    .sort((a, b) => a - b)
    .map((day) => ({ day, ...sumReports(reportsByDay.get(day) ?? []), stored: storedByDay.get(day) ?? 0 }));
  return { days, total: { ...sumReports(reports), stored: stored.reduce((sum, row) => sum + row.stored, 0) } };
}

function sumReports(reports: readonly Report[]): ReportSums {
  const sums: ReportSums = { reports: reports.length, queued: 0, sent: 0, retried: 0, droppedQueueFull: 0, droppedRejected: 0, reportingBrowsers: 0, memoryBrowsers: 0 };
  const browsers = new Set<string>();
  const memoryBrowsers = new Set<string>();
  for (const report of reports) {
    const properties = parseObject(report.properties);
    sums.queued += counter(properties['queued']);
    sums.sent += counter(properties['sent']);
    sums.retried += counter(properties['retried']);
    sums.droppedQueueFull += counter(properties['dropped_queue_full']);
    sums.droppedRejected += counter(properties['dropped_rejected']);
    browsers.add(report.browser);
    if (properties['storage'] === 'memory') memoryBrowsers.add(report.browser);
  }
  sums.reportingBrowsers = browsers.size;
  sums.memoryBrowsers = memoryBrowsers.size;
  return sums;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * A report counter as the SQLite engine reads it (`CAST(json_extract(…) AS
 * INTEGER)`): numbers truncated, booleans 1 / 0, text by its leading
 * integer, anything else (absent, null) nothing.
 */
function counter(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const match = /^\s*([+-]?\d+)/.exec(value);
    return match === null ? 0 : Number(match[1]);
  }
  if (typeof value === 'object' && value !== null) return 0;
  return 0;
}
