import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { valueListEntries } from '../../../../test/support/value-lists.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { migrate } from '../migrate.js';
import { SqliteStore } from '../sqlite-store.js';
import { migrations } from './index.js';
import { receivedAtColumn } from '../../../../test/support/received-at-column.js';
import { storedEventColumns, storedEventNameFor } from '../../../../test/support/stored-event-columns.js';

/** Upgrading the value lists from text to binary64: same values per key, same answers. */

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const DAY_MS = 86_400_000;
const DAY = Math.floor(T0 / DAY_MS);
const SCOPE: MetricScope = {
  fromDay: DAY, toDay: DAY, startMs: DAY * DAY_MS, endMs: (DAY + 1) * DAY_MS,
  calendar: new ZoneCalendar('UTC', (DAY - 1) * DAY_MS, (DAY + 2) * DAY_MS), includeDebug: false, includeBots: false, includeInternal: false, filters: {},
};
const LISTS = { response_latencies: 'latencies', response_ttfts: 'ttfts', response_token_rates: 'rates' } as const;
/** Values whose text SQLite writes in every form it has: integers, decimals, 17 digits, exponents, extremes. */
const EDGE_VALUES = [0, -5, 1234.5, 0.1 + 0.2, 1e20, 123456789012345678, 2 ** 53 + 2, 5e-324, Number.MAX_VALUE];

interface Response {
  model: string;
  latency: number | null;
  ttft?: number;
  rate?: number;
  minutes?: number;
}

const directories: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

let messages = 0;
function insertResponses(db: Database.Database, responses: readonly Response[]): void {
  const received = receivedAtColumn(db);
  const stored = storedEventColumns(db);
  const insert = db.prepare(
    `INSERT INTO events (${stored('write_key, message_id, type, event, user_key, ts')}, ${received.column},
                         ${stored('model, latency_ms, time_to_first_token_ms, tokens_per_second')})
     VALUES ('wk', @messageId, 'track', ${storedEventNameFor(db)("'ai_llm_response_received'")}, 'ada', @ts, ${received.value('@ts', '@ts')}, @model, @latency, @ttft, @rate)`,
  );
  db.transaction(() => {
    for (const response of responses) {
      messages += 1;
      const ts = T0 + (response.minutes ?? 1) * 60_000;
      insert.run({ messageId: `m-${messages}`, ts, model: response.model, latency: response.latency, ttft: response.ttft ?? null, rate: response.rate ?? null });
    }
  })();
}

/** What the materializer of migration 009 did: the events through the triggers of `events_to_fold`, in id order. */
function foldAsUnder009(db: Database.Database): void {
  db.exec(`INSERT INTO events_to_fold SELECT * FROM events WHERE id > (SELECT folded_through FROM rollup_watermark) ORDER BY id;
           UPDATE rollup_watermark SET folded_through = (SELECT MAX(id) FROM events);`);
}

/** A database file as a collector of migration 009 left it. */
function databaseUnder009(): { db: Database.Database; path: string } {
  const directory = mkdtempSync(join(tmpdir(), 'chatmeter-010-'));
  directories.push(directory);
  const path = join(directory, 'old.db');
  const db = new Database(path);
  migrate(db, migrations.slice(0, 9));
  return { db, path };
}

function entries(db: Database.Database): Record<string, string[]> {
  return Object.fromEntries(Object.entries(LISTS).map(([table, list]) => [table, valueListEntries(db, table, list)]));
}

function chunks(db: Database.Database, table: string, list: string): { model: string; chunk: number; bytes: number; type: string }[] {
  return db.prepare(`SELECT model, chunk, length(${list}) AS bytes, typeof(${list}) AS type FROM ${table} ORDER BY model, chunk`).all() as {
    model: string;
    chunk: number;
    bytes: number;
    type: string;
  }[];
}

describe('migration 010: value lists as binary64 arrays', () => {
  it('converts the text lists of a database created under 009 to the same values per key, in chunks of 100', () => {
    const { db } = databaseUnder009();
    const many = Array.from({ length: 350 }, (_, index): Response => ({ model: 'busy', latency: 1000 + index / 2 }));
    insertResponses(db, [
      ...EDGE_VALUES.map((value): Response => ({ model: 'edge', latency: value, ttft: value, rate: value })),
      ...many,
      { model: 'other', latency: 250, minutes: 20 },
    ]);
    foldAsUnder009(db);
    const before = entries(db);
    expect(chunks(db, 'response_latencies', 'latencies').filter((row) => row.model === 'busy').length).toBeGreaterThan(1);

    migrate(db);

    expect(entries(db)).toEqual(before);
    expect(before['response_latencies']).toContain(JSON.stringify([T0 / 900_000, 0, 'edge', '', 0.1 + 0.2]));
    expect(chunks(db, 'response_latencies', 'latencies')).toEqual([
      { model: 'busy', chunk: 0, bytes: 800, type: 'blob' },
      { model: 'busy', chunk: 1, bytes: 800, type: 'blob' },
      { model: 'busy', chunk: 2, bytes: 800, type: 'blob' },
      { model: 'busy', chunk: 3, bytes: 400, type: 'blob' },
      { model: 'edge', chunk: 0, bytes: 72, type: 'blob' },
      { model: 'other', chunk: 0, bytes: 8, type: 'blob' },
    ]);
    db.close();
  });

  it('answers latency, time to first token and speed as before, with the events stored after the last fold folded after the upgrade', async () => {
    const { db, path } = databaseUnder009();
    insertResponses(db, [
      { model: 'm1', latency: 100, ttft: 50, rate: 20.5 },
      { model: 'm1', latency: 200, ttft: 80 },
      { model: 'm1', latency: 300 },
      { model: 'm1', latency: 400 },
      { model: 'm2', latency: 250 },
    ]);
    foldAsUnder009(db);
    // Stored after the last fold: the upgraded collector folds it.
    insertResponses(db, [{ model: 'm1', latency: 1000 }, { model: 'm2', latency: 750 }]);
    db.close();

    const store = new SqliteStore({ path, rollups: { background: false } });
    stores.push(store);
    const latency = await store.metrics.latency(SCOPE, 'model', 'latency');
    const byModel = Object.fromEntries(latency.map((group) => [group.key, group]));

    // m1: 100 200 300 400 1000 — p95 at rank 3.8 = 400 + 0.8 × 600, p99 at rank 3.96 = 400 + 0.96 × 600.
    expect(byModel['m1']?.count).toBe(5);
    expect(byModel['m1']?.avgMs).toBeCloseTo(400, 9);
    expect(byModel['m1']?.p50Ms).toBe(300);
    expect(byModel['m1']?.p95Ms).toBeCloseTo(880, 9);
    expect(byModel['m1']?.p99Ms).toBeCloseTo(976, 9);
    // m2: 250 750.
    expect(byModel['m2']).toEqual({ key: 'm2', count: 2, avgMs: 500, p50Ms: 500, p95Ms: 725, p99Ms: 745 });
    expect(await store.metrics.latency(SCOPE, 'model', 'ttft')).toEqual([{ key: 'm1', count: 2, avgMs: 65, p50Ms: 65, p95Ms: 78.5, p99Ms: 79.7 }]);
    expect(await store.metrics.latency(SCOPE, 'total', 'tokens_per_second')).toEqual([
      { key: null, count: 1, avgMs: 20.5, p50Ms: 20.5, p95Ms: 20.5, p99Ms: 20.5 },
    ]);
  });

  it('continues the last chunk of a key when the fold appends, and starts the next one at 100 values', async () => {
    const { db, path } = databaseUnder009();
    insertResponses(db, Array.from({ length: 150 }, (): Response => ({ model: 'busy', latency: 500 })));
    foldAsUnder009(db);
    db.close();
    const store = new SqliteStore({ path, rollups: { background: false } });
    stores.push(store);

    insertResponses(store.db, Array.from({ length: 60 }, (_, index): Response => ({ model: 'busy', latency: 600 + index })));
    store.rollups?.catchUp();

    expect(chunks(store.db, 'response_latencies', 'latencies').map((row) => [row.chunk, row.bytes])).toEqual([
      [0, 800],
      [1, 800],
      [2, 80],
    ]);
    const [total] = await store.metrics.latency(SCOPE, 'total', 'latency');
    expect(total?.count).toBe(210);
  });

  it('takes out of a list only a whole value, not bytes of two neighbours that spell it', async () => {
    const store = new SqliteStore({ path: ':memory:', rollups: { background: false } });
    stores.push(store);
    // Big-endian 3ff0000000000040 0000000000000001 4000000000000000: the bytes of 2 first appear from the 8th byte on.
    const straddling = 1 + 2 ** -46;
    insertResponses(store.db, [
      { model: 'm', latency: straddling },
      { model: 'm', latency: 5e-324 },
      { model: 'm', latency: 2 },
    ]);
    store.rollups?.catchUp();
    expect(store.db.prepare('SELECT hex(latencies) FROM response_latencies').pluck().get()).toBe('3FF000000000004000000000000000014000000000000000');

    store.db.prepare('DELETE FROM events WHERE latency_ms = 2').run();

    expect(valueListEntries(store.db, 'response_latencies', 'latencies')).toEqual(
      [straddling, 5e-324].map((value) => JSON.stringify([T0 / 900_000, 0, 'm', '', value])).sort(),
    );
  });
});
