import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { inMemoryStores } from '../../../../test/support/store-factory.js';
import { createRandom, type Random } from '../../../demo/random.js';
import type { EventRecord } from '../../event-record.js';
import { LATENCY_LIST } from '../migrations/010-binary-value-lists.js';
import { dayTablesOf } from '../migrations/016-value-list-days.js';
import { dayPieces } from '../day-pieces.js';
import type { SqliteStore } from '../sqlite-store.js';
import { readFloat64Values } from './float64-values.js';
import { readValueLists } from './value-list-reads.js';

/**
 * readValueLists gives each key the values of its list rows in primary-key
 * order within each run of the range, runs in time order: the order a mean
 * is summed in. Checked against SQLite concatenating the same rows with an
 * explicit ORDER BY.
 */

const DAY_MS = 86_400_000;
const QUARTERS_PER_DAY = 96;
/** 2026-03-02 00:00 UTC. */
const DAY0 = Date.UTC(2026, 2, 2) / DAY_MS;
const DAYS = 5;

const openStore = inMemoryStores();
let messages = 0;

function randomResponse(random: Random): EventRecord {
  messages += 1;
  return promptRecord({
    messageId: `m-${messages}`,
    userId: `u-${random.int(1, 4)}`,
    timestamp: (DAY0 + random.int(0, DAYS - 1)) * DAY_MS + random.int(0, DAY_MS / 1000 - 1) * 1000,
    event: 'ai_llm_response_received',
    model: random.pick(['m1', 'm2', null]),
    intent: random.pick(['billing', 'tech', null]),
    // Fractions of mixed magnitude, so that a sum in another order would differ in its last bits.
    latencyMs: random.int(1, 5000) * random.pick([1, 1e-7, 1e9]) + random.int(0, 99) / 97,
    debug: random.chance(0.1),
  });
}

/** Each key's values, runs in time order, each run's rows concatenated by SQLite in primary-key order. */
function expectedValues(store: SqliteStore, q0: number, q1: number, key: 'model' | 'intent' | null, filterSql: string): [string | null, number[]][] {
  const byKey = new Map<string | null, number[]>();
  for (const piece of dayPieces(store.db, dayTablesOf(LATENCY_LIST).stale, q0, q1)) {
    const [table, range, order, params] =
      piece.from === 'days'
        ? [dayTablesOf(LATENCY_LIST).days, 'day >= ? AND day < ?', 'day, debug, model, intent', [piece.startDay, piece.endDay]]
        : [LATENCY_LIST.table, 'quarter >= ? AND quarter < ?', 'quarter, debug, model, intent, chunk', [piece.q0, piece.q1]];
    const rows = store.db
      .prepare(
        `SELECT NULLIF(${key ?? "''"}, '') AS key, CAST(group_concat(latencies, '' ORDER BY ${order}) AS BLOB)
           FROM ${table} WHERE ${range}${filterSql} GROUP BY key`,
      )
      .raw()
      .all(...params) as [string | null, Buffer][];
    for (const [rowKey, bytes] of rows) byKey.set(rowKey, [...(byKey.get(rowKey) ?? []), ...readFloat64Values(bytes)]);
  }
  return [...byKey].sort(([left], [right]) => (left === right ? 0 : left === null ? -1 : right === null ? 1 : left < right ? -1 : 1));
}

function expectSameValues(store: SqliteStore): void {
  const q0 = DAY0 * QUARTERS_PER_DAY;
  // Whole UTC days, and ranges cut at other quarter-hours (a zone's days).
  for (const [from, to] of [[q0, q0 + DAYS * QUARTERS_PER_DAY], [q0 + 18, q0 + 3 * QUARTERS_PER_DAY + 18], [q0 + 100, q0 + 130]] as const) {
    for (const key of [null, 'model', 'intent'] as const) {
      for (const filter of [{ sql: ' AND debug = 0', params: {} }, { sql: ' AND model = @filterModel', params: { filterModel: 'm1' } }]) {
        const actual = [...readValueLists(store.db, LATENCY_LIST, from, to, filter, key)].map(([rowKey, values]): [string | null, number[]] => [rowKey, [...values]]);
        const expected = expectedValues(store, from, to, key, filter.sql.replace('@filterModel', "'m1'"));
        expect(actual, `${from}–${to} ${key} ${filter.sql}`).toEqual(expected);
      }
    }
  }
}

describe('readValueLists', () => {
  it('returns no key for a range without values', () => {
    const store = openStore();
    expect(readValueLists(store.db, LATENCY_LIST, 0, 96, { sql: '', params: {} }, null).size).toBe(0);
  });

  for (const seed of [1, 2, 3]) {
    it(`gives each key its values in primary-key order per run, runs in time order, fresh days or stale (seed ${seed})`, async () => {
      const random = createRandom(seed * 37);
      const store = openStore();
      for (let round = 0; round < 5; round += 1) {
        await store.insertEvents(Array.from({ length: random.int(30, 120) }, () => randomResponse(random)));
        store.rollups?.catchUp();
        if (random.chance(0.6)) store.rollups?.refreshAllLists();
        expectSameValues(store);
      }
      store.rollups?.refreshAllLists();
      expect(store.db.prepare(`SELECT COUNT(*) FROM ${dayTablesOf(LATENCY_LIST).days}`).pluck().get()).toBeGreaterThan(0);
      expectSameValues(store);
    });
  }
});
