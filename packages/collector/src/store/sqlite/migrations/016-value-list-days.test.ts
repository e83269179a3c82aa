import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { migrate } from '../migrate.js';
import { latency } from '../metrics/response-queries.js';
import { ValueListDayWriter } from '../value-list-days.js';
import { LATENCY_LIST } from './010-binary-value-lists.js';
import { migrations } from './index.js';

/** Upgrading a database of migration 015: every day holding values is stale until the fold writes it, and answers stay. */

const DAY_MS = 86_400_000;
/** 2026-03-02 00:00 UTC. */
const DAY0 = Date.UTC(2026, 2, 2) / DAY_MS;

const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

function valuesOf(...values: number[]): Buffer {
  const bytes = Buffer.alloc(values.length * 8);
  values.forEach((value, index) => bytes.writeDoubleBE(value, index * 8));
  return bytes;
}

describe('migration 016 (value lists per day)', () => {
  it('marks the days of existing values stale, then answers from the day lists as from the quarters', () => {
    const db = new Database(':memory:');
    databases.push(db);
    migrate(db, migrations.slice(0, 15));
    const chunk = db.prepare('INSERT INTO response_latencies (quarter, debug, model, intent, chunk, latencies) VALUES (?, 0, ?, ?, ?, ?)');
    chunk.run(DAY0 * 96 + 3, 'm1', '', 0, valuesOf(100, 300));
    chunk.run(DAY0 * 96 + 3, 'm1', '', 1, valuesOf(200));
    chunk.run(DAY0 * 96 + 40, 'm2', 'tech', 0, valuesOf(1000));
    chunk.run((DAY0 + 1) * 96 + 5, 'm1', '', 0, valuesOf(400, 500));
    const calendar = new ZoneCalendar('UTC', (DAY0 - 31) * DAY_MS, (DAY0 + 3) * DAY_MS);
    const scope: MetricScope = {
      fromDay: DAY0, toDay: DAY0 + 1, startMs: DAY0 * DAY_MS, endMs: (DAY0 + 2) * DAY_MS, calendar,
      includeDebug: false, includeBots: false, includeInternal: false, filters: {},
    };
    const before = [
      { key: 'm1', count: 5, avgMs: 300, p50Ms: 300, p95Ms: 480, p99Ms: 496 },
      { key: 'm2', count: 1, avgMs: 1000, p50Ms: 1000, p95Ms: 1000, p99Ms: 1000 },
    ];

    migrate(db, migrations);

    expect(db.prepare('SELECT day FROM response_latencies_days_stale ORDER BY day').pluck().all()).toEqual([DAY0, DAY0 + 1]);
    expect(latency(db, scope, 'model', 'latency')).toEqual(before);
    // The latest day stays with its quarters: ingest keeps appending to it.
    expect(new ValueListDayWriter(db, LATENCY_LIST).refresh(10)).toBe(1);
    // Whole milliseconds: int32 since migration 023.
    expect(db.prepare('SELECT day, model, length(latencies) / CASE int32 WHEN 1 THEN 4 ELSE 8 END AS values_ FROM response_latencies_days ORDER BY day, model').all()).toEqual([
      { day: DAY0, model: 'm1', values_: 3 },
      { day: DAY0, model: 'm2', values_: 1 },
    ]);
    expect(latency(db, scope, 'model', 'latency')).toEqual(before);
  });
});
