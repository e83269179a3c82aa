import { describe, expect, it } from 'vitest';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { promptRecord } from '../../../../test/support/event-record.js';
import { inMemoryStores } from '../../../../test/support/store-factory.js';
import { createRandom, type Random } from '../../../demo/random.js';
import { mean, percentilesCont } from '../../../metrics/percentile.js';
import type { EventRecord } from '../../event-record.js';
import { LATENCY_LIST } from '../migrations/010-binary-value-lists.js';
import { TOKEN_RATE_LIST, TTFT_LIST } from '../migrations/005-streaming-response-ids-delivery.js';
import { quarterRange } from './sql-constants.js';
import type { SqliteStore } from '../sqlite-store.js';
import { valueBucket } from '../value-buckets.js';
import { rollupKeyFiltersSql } from './rollup-filters-sql.js';
import { readValueStats } from './value-bucket-reads.js';
import { readValueLists } from './value-list-reads.js';

/**
 * The day buckets of migration 024 give the counts, means and percentiles
 * that reading every value gives, to the bit: checked against the lists of
 * the same store, for whole, edge and stale days, filters and groupings.
 */

const DAY_MS = 86_400_000;
/** 2026-03-02 00:00 UTC. */
const DAY0 = Date.UTC(2026, 2, 2) / DAY_MS;
const DAYS = 6;
const PS = [0, 0.25, 0.5, 0.9, 0.95, 0.99, 1];

const openStore = inMemoryStores();
let messages = 0;

function randomResponse(random: Random, fractional: boolean): EventRecord {
  messages += 1;
  const timestamp = (DAY0 + random.int(0, DAYS - 1)) * DAY_MS + random.int(0, DAY_MS / 1000 - 1) * 1000;
  // Heavy-tailed, as latencies are: most values in a few buckets, a long tail over many.
  const latency = Math.round(50 * Math.exp(random.int(0, 600) / 100));
  return promptRecord({
    messageId: `b-${messages}`,
    userId: `u-${random.int(1, 5)}`,
    timestamp,
    event: 'ai_llm_response_received',
    model: random.pick(['m1', 'm2', null]),
    intent: random.pick(['billing', 'tech', null]),
    latencyMs: fractional && random.chance(0.05) ? latency + 0.5 : latency,
    timeToFirstTokenMs: random.chance(0.7) ? random.int(0, 3) * 250 : null,
    tokensPerSecond: random.chance(0.7) ? (random.int(1, 2000) * 2 + 1) / 14 : null,
    debug: random.chance(0.1),
  });
}

/** Every combination of zone, range, filter and grouping; returns how many were answered from the buckets. */
function expectSameStats(store: SqliteStore): number {
  let fromBuckets = 0;
  for (const list of [LATENCY_LIST, TTFT_LIST, TOKEN_RATE_LIST]) {
    for (const timeZone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
      for (const [from, to] of [[0, DAYS - 1], [1, 3], [2, 2]] as const) {
        const scope = dayScope(timeZone, DAY0 + from, DAY0 + to);
        const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
        for (const filters of [{}, { model: 'm1' }, { intent: null }]) {
          const keyFilters = rollupKeyFiltersSql({ ...scope, filters }, { model: true, intent: true });
          for (const key of [null, 'model', 'intent'] as const) {
            const stats = readValueStats(store.db, list, q0, q1, keyFilters, key, PS);
            if (stats === undefined) continue;
            fromBuckets += 1;
            const expected = [...readValueLists(store.db, list, q0, q1, keyFilters, key)].map(([group, values]) => [
              group,
              { count: values.length, mean: mean(values), percentiles: percentilesCont(values, PS) },
            ]);
            expect([...stats], `${list.table} ${timeZone} ${from}–${to} ${JSON.stringify(filters)} ${key}`).toEqual(expected);
          }
        }
      }
    }
  }
  return fromBuckets;
}

describe('value buckets per day', () => {
  it('order as the values do, negative and positive', () => {
    const values = [-1e9, -70_000, -3, -1, 0, 1, 2, 3, 7, 8, 1_000, 1_090, 60_000, 2 ** 31 - 1];
    const buckets = values.map(valueBucket);
    for (let index = 1; index < buckets.length; index += 1) expect(buckets[index]).toBeGreaterThanOrEqual(buckets[index - 1] as number);
    // Eight buckets per octave: 1,000 and 1,090 are 9% apart, in neighbouring buckets.
    expect(valueBucket(1_090) - valueBucket(1_000)).toBe(1);
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`answer as every value of the range does, through folds, rewrites and erasures (seed ${seed})`, async () => {
      const random = createRandom(seed * 977);
      const store = openStore();
      let fromBuckets = 0;
      for (let round = 0; round < 6; round += 1) {
        const events = Array.from({ length: random.int(50, 150) }, () => randomResponse(random, seed === 4 && round >= 3));
        await store.insertEvents(events);
        store.rollups?.catchUp();
        if (random.chance(0.7)) store.rollups?.refreshAllLists();
        if (random.chance(0.2)) await store.eraseUser(`u-${random.int(1, 5)}`);
        fromBuckets += expectSameStats(store);
      }
      store.rollups?.refreshAllLists();
      fromBuckets += expectSameStats(store);
      // Latencies and times to first token in whole milliseconds have buckets; tokens per second, with fractions, never.
      expect(fromBuckets).toBeGreaterThan(100);
      const bucketRows = store.db.prepare('SELECT COUNT(*) FROM response_latencies_day_buckets').pluck().get() as number;
      expect(bucketRows).toBeGreaterThan(0);
      expect(store.db.prepare('SELECT COUNT(*) FROM response_token_rates_day_buckets').pluck().get()).toBe(0);
    });
  }

  it('leave a range holding a fraction to the lists', async () => {
    const store = openStore();
    const at = (DAY0 + 1) * DAY_MS + 3_600_000;
    await store.insertEvents([
      promptRecord({ messageId: 'f-1', userId: 'u-1', timestamp: at, event: 'ai_llm_response_received', model: 'm1', latencyMs: 812 }),
      promptRecord({ messageId: 'f-2', userId: 'u-1', timestamp: at + 1000, event: 'ai_llm_response_received', model: 'm1', latencyMs: 90.5 }),
      promptRecord({ messageId: 'f-3', userId: 'u-1', timestamp: at + DAY_MS, event: 'ai_llm_response_received', model: 'm1', latencyMs: 7 }),
    ]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();
    const read = (from: number, to: number): ReturnType<typeof readValueStats> => {
      const { q0, q1 } = quarterRange(dayScope('UTC', DAY0 + from, DAY0 + to).startMs, dayScope('UTC', DAY0 + from, DAY0 + to).endMs);
      return readValueStats(store.db, LATENCY_LIST, q0, q1, { sql: '', params: {} }, null, PS);
    };
    expect(read(1, 1)).toBeUndefined();
    expect(read(1, 2)).toBeUndefined();
    expect(read(2, 2)).toEqual(new Map([[null, { count: 1, mean: 7, percentiles: PS.map(() => 7) }]]));
  });
});
