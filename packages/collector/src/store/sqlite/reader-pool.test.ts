import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dayScope } from '../../../test/support/metric-scope.js';
import { promptRecord } from '../../../test/support/event-record.js';
import { temporaryDatabases } from '../../../test/support/store-factory.js';
import { createRandom } from '../../demo/random.js';
import type { MetricsSource } from '../../metrics/metrics-source.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import type { EventRecord } from '../event-record.js';
import { SqliteMetrics } from './metrics/sqlite-metrics.js';
import { ReaderPool } from './reader-pool.js';
import { SqliteStore } from './sqlite-store.js';

/** Metric queries on reader threads answer as the store's own connection does, however many run at once. */

const DAY_MS = 86_400_000;
/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const DAY = Math.floor(T0 / DAY_MS);
const databases = temporaryDatabases();

function randomEvents(seed: number, count: number): EventRecord[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const user = `u-${random.int(1, 20)}`;
    const response = random.chance(0.5);
    return promptRecord({
      messageId: `m-${seed}-${index}`,
      userId: user,
      sessionId: `s-${user}-${random.int(1, 3)}`,
      conversationId: `c-${random.int(1, 30)}`,
      timestamp: T0 - random.int(0, 9) * DAY_MS + random.int(0, 600) * 60_000,
      ...(response
        ? { event: 'ai_llm_response_received', latencyMs: random.int(100, 5000), cost: random.int(0, 1000) / 10_000, model: random.pick(['m1', 'm2']) }
        : {}),
    });
  });
}

/** One query of most families, over scopes in two zones: what the dashboard and the report ask. */
function queries(source: MetricsSource): Promise<unknown>[] {
  return ['UTC', 'America/New_York'].flatMap((zone) => {
    const scope = dayScope(zone, DAY - 7, DAY);
    return [
      source.activeUsers(scope),
      source.retention(scope, 'first_seen', [1, 7]),
      source.sessionTotals(scope),
      source.conversationTotals(scope),
      source.latency(scope, 'model', 'latency'),
      source.cost(scope, { by: 'day' }),
      source.cost(scope, { by: 'segment', trait: 'plan' }),
      source.errors(scope, 'model'),
      source.promptsByQuarterHour(scope),
      source.intentFlows(scope),
    ];
  });
}

describe('reader threads', () => {
  it('answer every query as the store’s own connection does, many at once, and see events stored just before', async () => {
    const store = databases.keep(await SqliteStore.open({ path: databases.path(), readers: 2 }));
    await store.insertEvents(randomEvents(1, 400));
    const inline = new SqliteMetrics(store.db, () => store.rollups?.catchUp());

    expect(await Promise.all(queries(store.metrics))).toEqual(await Promise.all(queries(inline)));

    await store.insertEvents(randomEvents(2, 50));
    const scope = dayScope('UTC', DAY - 9, DAY);
    expect(await store.metrics.errors(scope, 'model')).toEqual(await inline.errors(scope, 'model'));
  });

  it('answer on the store’s connection with no reader threads, as for an in-memory store', async () => {
    const store = databases.keep(await SqliteStore.open({ path: databases.path(), readers: 0 }));
    expect(store.metrics).toBeInstanceOf(SqliteMetrics);
    expect(databases.keep(new SqliteStore({ path: ':memory:' })).metrics).toBeInstanceOf(SqliteMetrics);
  });

  it('fail a query after close with a retryable error', async () => {
    const path = databases.path();
    databases.keep(await SqliteStore.open({ path }));
    const pool = new ReaderPool(path, 1);
    await pool.call('classifierSpendOn', ['2026-03-02']);
    await pool.close();

    await expect(pool.call('classifierSpendOn', ['2026-03-02'])).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('fail the query of a thread that dies with a retryable error, and start another thread for the next', async () => {
    const pool = new ReaderPool(join(databases.path(), 'no-such-directory', 'events.db'), 1);
    try {
      await expect(pool.call('classifierSpendOn', ['2026-03-02'])).rejects.toThrow(/^a database reader stopped \(.*\); retry shortly$/);
      await expect(pool.call('classifierSpendOn', ['2026-03-02'])).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await pool.close();
    }
  });

  it('pass a query’s error back with its message', async () => {
    const path = databases.path();
    databases.keep(await SqliteStore.open({ path }));
    const pool = new ReaderPool(path, 1);
    try {
      await expect(pool.call('activeUsers', [null])).rejects.toThrow(/Cannot read properties of null/);
      // The thread survives a failed query.
      expect(await pool.call('classifierSpendOn', ['2026-03-02'])).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
