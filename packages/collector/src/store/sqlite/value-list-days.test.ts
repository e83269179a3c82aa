import { describe, expect, it } from 'vitest';
import { dayScope } from '../../../test/support/metric-scope.js';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import { createRandom, type Random } from '../../demo/random.js';
import type { LatencyGrouping, ResponseMeasure } from '../../metrics/metrics-source.js';
import type { EventRecord } from '../event-record.js';
import { latency } from './metrics/response-queries.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The day lists of migration 016 (of integers as int32 since 023) answer
 * percentiles and means exactly as the quarter-hour lists alone, fresh or
 * stale: checked against a store whose day lists are never written.
 */

const DAY_MS = 86_400_000;
/** 2026-03-02 00:00 UTC. */
const DAY0 = Date.UTC(2026, 2, 2) / DAY_MS;
const DAYS = 6;

const openStore = inMemoryStores();
let messages = 0;

function randomResponse(random: Random, wholeMilliseconds: boolean): EventRecord {
  messages += 1;
  const timestamp = (DAY0 + random.int(0, DAYS - 1)) * DAY_MS + random.int(0, DAY_MS / 1000 - 1) * 1000;
  return promptRecord({
    messageId: `m-${messages}`,
    userId: `u-${random.int(1, 5)}`,
    timestamp,
    event: 'ai_llm_response_received',
    model: random.pick(['m1', 'm2', null]),
    intent: random.pick(['billing', 'tech', null]),
    // Whole milliseconds as the SDK measures them (day lists of int32, migration 023), or fractional.
    latencyMs: wholeMilliseconds ? random.int(50, 5000) : random.int(50, 5000) + random.int(0, 99) / 100,
    timeToFirstTokenMs: random.chance(0.7) ? random.int(10, 900) : null,
    tokensPerSecond: random.chance(0.7) ? random.int(1, 2000) / 7 : null,
    debug: random.chance(0.1),
  });
}

function expectSameLatencies(store: SqliteStore, reference: SqliteStore): void {
  for (const timeZone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
    for (const [from, to] of [[0, DAYS - 1], [1, 3], [2, 2]] as const) {
      const scope = dayScope(timeZone, DAY0 + from, DAY0 + to);
      for (const filters of [{}, { model: 'm1' }]) {
        for (const groupBy of ['total', 'model', 'intent'] as LatencyGrouping[]) {
          for (const measure of ['latency', 'ttft', 'tokens_per_second'] as ResponseMeasure[]) {
            const filtered = { ...scope, filters };
            expect(latency(store.db, filtered, groupBy, measure), `${timeZone} ${from}–${to} ${groupBy} ${measure}`).toEqual(
              latency(reference.db, filtered, groupBy, measure),
            );
          }
        }
      }
    }
  }
}

function dayRows(store: SqliteStore): number {
  return store.db.prepare('SELECT COUNT(*) FROM response_latencies_days').pluck().get() as number;
}

describe('value lists per day', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`answer as the quarter-hour lists through folds and erasures (seed ${seed})`, async () => {
      const random = createRandom(seed * 101);
      const store = openStore();
      const reference = openStore();
      for (let round = 0; round < 8; round += 1) {
        const events = Array.from({ length: random.int(20, 80) }, () => randomResponse(random, seed % 2 === 1));
        for (const each of [store, reference]) {
          await each.insertEvents(events);
          each.rollups?.catchUp();
        }
        if (random.chance(0.7)) store.rollups?.refreshAllLists();
        if (random.chance(0.2)) {
          const user = `u-${random.int(1, 5)}`;
          await store.eraseUser(user);
          await reference.eraseUser(user);
        }
        expectSameLatencies(store, reference);
      }
      store.rollups?.refreshAllLists();
      expect(dayRows(store)).toBeGreaterThan(0);
      expect(dayRows(reference)).toBe(0);
      const int32Rows = (table: string): number => store.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE int32 = 1`).pluck().get() as number;
      expect(int32Rows('response_ttfts_days')).toBeGreaterThan(0);
      expect(int32Rows('response_latencies_days') > 0).toBe(seed % 2 === 1);
      expectSameLatencies(store, reference);
    });
  }
});
