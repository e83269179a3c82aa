import { describe, expect, it } from 'vitest';
import { dayScope } from '../../../test/support/metric-scope.js';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import { createRandom, type Random } from '../../demo/random.js';
import { SDK_HEALTH_EVENT } from '../../protocol/index.js';
import type { EventRecord } from '../event-record.js';
import { delivery, reportsFromEvents, reportsFromLists } from './metrics/delivery-queries.js';
import { listQuarters } from './quarter-lists.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The SDK health lists of migration 026 answer `delivery` exactly as the
 * reports themselves do, fresh or stale, through folds, relabels (an alias
 * moves a report without anonymousId to another browser), erasures and
 * retention.
 */

const DAY_MS = 86_400_000;
/** 2026-03-02 00:00 UTC. */
const T0 = Date.UTC(2026, 2, 2);
const T0_DAY = T0 / DAY_MS;
const DAYS = 4;

const openStore = inMemoryStores();
let messages = 0;

function randomRecord(random: Random): EventRecord {
  messages += 1;
  const messageId = `m-${messages}`;
  const person = random.int(1, 8);
  const timestamp = T0 + random.int(0, DAYS * DAY_MS - 1);
  const draw = random.next();
  if (draw < 0.08) {
    return promptRecord({ messageId, timestamp, type: 'identify', event: null, userId: `u-${person}`, anonymousId: `anon-${person}` });
  }
  if (draw < 0.14) {
    // alias: the earlier id's events (reports without anonymousId among them) now belong to the new one.
    return promptRecord({ messageId, timestamp, type: 'alias', event: null, userId: `u-${random.int(1, 8)}`, previousId: `u-${person}` });
  }
  const counter = (): number | undefined => (random.chance(0.1) ? undefined : random.int(0, 9));
  const withoutAnonymousId = random.chance(0.3);
  return promptRecord({
    messageId,
    timestamp,
    event: SDK_HEALTH_EVENT,
    userId: withoutAnonymousId || random.chance(0.4) ? `u-${person}` : null,
    anonymousId: withoutAnonymousId ? null : `anon-${person}`,
    debug: random.chance(0.1),
    properties: {
      queued: counter(), sent: counter(), retried: counter(), dropped_queue_full: counter(), dropped_rejected: counter(),
      storage: random.chance(0.25) ? 'memory' : 'indexeddb',
    },
  });
}

/** Every zone and range: lists against the reports, and the whole answer. */
function expectListsToMatchReports(store: SqliteStore, label: string): void {
  for (const timeZone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
    for (const [from, to] of [[0, 0], [0, DAYS - 1], [1, 2], [-2, DAYS + 1]] as const) {
      const scope = dayScope(timeZone, T0_DAY + from, T0_DAY + to);
      const quarters = listQuarters(scope.startMs, scope.endMs);
      if (quarters === null) throw new Error('local days start on quarter-hours');
      const range = `${label}: ${timeZone} days ${from}–${to}`;
      expect(reportsFromLists(store.db, scope, quarters.q0, quarters.q1), range).toEqual(reportsFromEvents(store.db, scope));
    }
  }
}

const count = (store: SqliteStore, sql: string): number => store.db.prepare(sql).pluck().get() as number;

describe('SDK health lists', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`answer as the reports through folds, relabels, erasures and retention, stale or not (seed ${seed})`, async () => {
      const random = createRandom(seed * 31);
      const store = openStore();
      for (let round = 0; round < 10; round += 1) {
        await store.insertEvents(Array.from({ length: random.int(5, 30) }, () => randomRecord(random)));
        store.rollups?.catchUp();
        // Some lists fresh while later events change their quarters, some stale.
        if (random.chance(0.4)) store.rollups?.refreshAllLists();
        else if (random.chance(0.5)) store.rollups?.refreshLists(random.int(1, 8));
        if (random.chance(0.15)) await store.eraseUser(`u-${random.int(1, 8)}`);
        if (random.chance(0.1)) await store.deleteEventsBefore(T0 + random.int(0, DAY_MS), 1_000);
        expectListsToMatchReports(store, `round ${round}`);
      }
      while ((store.rollups?.refreshLists() ?? 0) > 0);
      // The background fold writes every quarter but the newest one with a list or a stale mark, which ingest keeps changing.
      const newest = '(SELECT MAX(quarter) FROM (SELECT quarter FROM sdk_health_lists UNION ALL SELECT quarter FROM sdk_health_lists_stale))';
      expect(count(store, `SELECT COUNT(*) FROM sdk_health_lists_stale WHERE quarter < ${newest}`)).toBe(0);
      expect(count(store, 'SELECT COUNT(*) FROM sdk_health_lists')).toBeGreaterThan(0);
      expectListsToMatchReports(store, 'every list fresh but the newest');
      store.rollups?.refreshAllLists();
      expect(count(store, 'SELECT COUNT(*) FROM sdk_health_lists_stale')).toBe(0);
      expectListsToMatchReports(store, 'every list fresh');
    });
  }

  it('turns a quarter stale when an alias moves a report without anonymousId to another browser', async () => {
    const store = openStore();
    const report = (messageId: string, userId: string, timestamp: number): EventRecord =>
      promptRecord({ messageId, userId, timestamp, event: SDK_HEALTH_EVENT, properties: { queued: 1, sent: 1, storage: 'indexeddb' } });
    // The next day's report is the newest: its quarter stays stale, the first day's is written.
    await store.insertEvents([report('m-1', 'old-id', T0 + 60_000), report('m-2', 'new-id', T0 + 120_000), report('m-0', 'cy', T0 + DAY_MS)]);
    store.rollups?.catchUp();
    store.rollups?.refreshLists();
    const scope = dayScope('UTC', T0_DAY, T0_DAY);
    expect(count(store, 'SELECT COUNT(*) FROM sdk_health_lists')).toBe(1);
    expect(delivery(store.db, scope).total).toMatchObject({ reports: 2, reportingBrowsers: 2 });

    await store.insertEvents([promptRecord({ messageId: 'm-3', timestamp: T0 + DAY_MS, type: 'alias', event: null, userId: 'new-id', previousId: 'old-id' })]);
    store.rollups?.catchUp();

    expect(delivery(store.db, scope).total).toMatchObject({ reports: 2, reportingBrowsers: 1 });
    store.rollups?.refreshAllLists();
    expect(delivery(store.db, scope).total).toMatchObject({ reports: 2, reportingBrowsers: 1 });
  });

  it('forgets an erased user’s browsers with the user', async () => {
    const store = openStore();
    await store.insertEvents([
      promptRecord({ messageId: 'm-1', userId: null, anonymousId: 'anon-ada', timestamp: T0, type: 'track', event: SDK_HEALTH_EVENT, properties: { storage: 'memory' } }),
      promptRecord({ messageId: 'm-2', userId: 'ada', anonymousId: 'anon-ada', timestamp: T0 + 1, type: 'identify', event: null }),
      promptRecord({ messageId: 'm-3', userId: 'bob', timestamp: T0 + 2, event: SDK_HEALTH_EVENT, properties: { storage: 'indexeddb' } }),
      promptRecord({ messageId: 'm-4', userId: 'cy', timestamp: T0 + DAY_MS, event: SDK_HEALTH_EVENT, properties: { storage: 'indexeddb' } }),
    ]);
    store.rollups?.catchUp();
    store.rollups?.refreshLists();
    const browsers = (): string[] => store.db.prepare('SELECT browser FROM sdk_browsers ORDER BY browser').pluck().all() as string[];
    expect(browsers()).toEqual(['anon-ada', 'bob']);

    await store.eraseUser('ada');

    expect(browsers()).toEqual(['bob']);
    expect(delivery(store.db, dayScope('UTC', T0_DAY, T0_DAY)).total).toMatchObject({ reports: 1, reportingBrowsers: 1, memoryBrowsers: 0 });
  });

  it('reads a range off quarter-hours from the reports', async () => {
    const store = openStore();
    await store.insertEvents([promptRecord({ messageId: 'm-1', userId: 'ada', timestamp: T0 + 60_000, event: SDK_HEALTH_EVENT, properties: { sent: 3 } })]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();
    const scope = { ...dayScope('UTC', T0_DAY, T0_DAY), startMs: T0 + 1 };
    expect(delivery(store.db, scope).total).toMatchObject({ reports: 1, sent: 3, reportingBrowsers: 1 });
    expect(delivery(store.db, { ...scope, startMs: T0 + 60_001 }).total).toMatchObject({ reports: 0 });
  });
});
