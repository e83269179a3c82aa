import { describe, expect, it } from 'vitest';
import { dayScope } from '../../../test/support/metric-scope.js';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import { createRandom, type Random } from '../../demo/random.js';
import type { MetricScope } from '../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../metrics/zone-calendar.js';
import { SDK_HEALTH_EVENT } from '../../protocol/index.js';
import type { EventRecord } from '../event-record.js';
import { conversationsByUser, conversationsByUserFromRollup, conversationTotals, conversationTotalsFromRollup } from './metrics/conversation-queries.js';
import { activeUsers } from './metrics/activity-queries.js';
import { cohortsOfCounts, firstSeenCounts, offsetListSql, retention } from './metrics/retention-queries.js';
import { quarterRange } from './metrics/sql-constants.js';
import { sessionTotalsFromLists, sessionTotalsFromRollup } from './metrics/session-queries.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The lists of migration 014 (with the session summaries per day of 021 and
 * the day packs of 022) answer exactly what the rollups answer, however stale they are: sessions
 * and conversations against the rollup queries,
 * active users against a store whose lists are never written (all stale).
 */

const QUARTER_MS = 900_000;
/** 2026-03-02 09:00 UTC, a quarter-hour boundary. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const WINDOW_QUARTERS = 20;
const DAY_MS = 86_400_000;
/** Days the events spread over: WAU/MAU need gaps between active days. */
const DAYS = 9;
const T0_DAY = Math.floor(T0 / DAY_MS);

const openStore = inMemoryStores();
let messages = 0;

function randomEvent(random: Random): EventRecord {
  messages += 1;
  const user = `u-${random.int(1, 12)}`;
  const anonymous = random.chance(0.3);
  // Most on the first day, where the quarter ranges below look; the rest over the following days.
  const day = random.chance(0.3) ? 0 : random.int(1, DAYS - 1);
  const fields: Partial<EventRecord> = {
    userId: anonymous ? null : user,
    anonymousId: anonymous ? `anon-${user}` : null,
    // Mostly sessions of the day (so that later days hold sessions of their own), sometimes one from another day.
    sessionId: random.chance(0.8) ? `s-${day}-${random.int(1, 4)}` : `s-${random.int(0, DAYS - 1)}-${random.int(1, 4)}`,
    conversationId: `c-${random.int(1, 16)}`,
    debug: random.chance(0.1),
  };
  const timestamp = T0 + day * DAY_MS + random.int(0, WINDOW_QUARTERS * 15 * 60) * 1000;
  if (anonymous && random.chance(0.15)) {
    return promptRecord({ messageId: `m-${messages}`, timestamp, type: 'identify', event: null, userId: user, anonymousId: `anon-${user}` });
  }
  const event = random.chance(0.5) ? 'ai_user_prompt_created' : 'ai_llm_response_received';
  return promptRecord({ messageId: `m-${messages}`, userId: user, timestamp, event, ...fields });
}

function scopeOf(startMs: number, endMs: number): MetricScope {
  const day = Math.floor(startMs / 86_400_000);
  return {
    fromDay: day, toDay: day, startMs, endMs, calendar: new ZoneCalendar('UTC', startMs - 86_400_000, endMs + 86_400_000),
    includeDebug: false, includeBots: false, includeInternal: false, filters: {},
  };
}

/** Lists and rollup over every quarter-aligned range of the window (and one beyond it). */
function expectListsToMatchRollup(store: SqliteStore): void {
  for (let from = 0; from <= WINDOW_QUARTERS; from += 3) {
    for (const length of [1, 4, WINDOW_QUARTERS + 1]) {
      const startMs = T0 + from * QUARTER_MS;
      const endMs = startMs + length * QUARTER_MS;
      const scope = scopeOf(startMs, endMs);
      const range = `quarters ${from}–${from + length}`;
      expect(sessionTotalsFromLists(store.db, startMs, endMs), range).toEqual(sessionTotalsFromRollup(store.db, scope));
      expect(conversationTotals(store.db, scope), range).toEqual(conversationTotalsFromRollup(store.db, scope));
      for (const limit of [1, 2, 3, 10]) {
        expect(conversationsByUser(store.db, scope, limit), range).toEqual(conversationsByUserFromRollup(store.db, scope, limit));
      }
    }
  }
  // Whole UTC days (migration 021's session summaries) and days with edge quarters around them.
  for (const [fromDay, toDay, edgeQuarters] of [[0, 1, 0], [0, DAYS, 0], [1, 4, 0], [-1, DAYS + 1, 0], [0, 5, 3], [2, DAYS, 37]] as const) {
    const startMs = (T0_DAY + fromDay) * DAY_MS + edgeQuarters * QUARTER_MS;
    const endMs = (T0_DAY + toDay) * DAY_MS + edgeQuarters * QUARTER_MS;
    const range = `days ${fromDay}–${toDay}, ${edgeQuarters} quarters on`;
    const scope = scopeOf(startMs, endMs);
    expect(sessionTotalsFromLists(store.db, startMs, endMs), range).toEqual(sessionTotalsFromRollup(store.db, scope));
    expect(conversationTotals(store.db, scope), range).toEqual(conversationTotalsFromRollup(store.db, scope));
    expect(conversationsByUser(store.db, scope, 3), range).toEqual(conversationsByUserFromRollup(store.db, scope, 3));
  }
}

const OFFSETS = [1, 2, 7, 30];

/** First-seen retention as the SQL over the rollups answers it (any traffic view, any range). */
function firstSeenFromSql(store: SqliteStore, scope: MetricScope): ReturnType<typeof retention> {
  const params = { ...quarterRange(scope.startMs, scope.endMs), start: scope.startMs, end: scope.endMs };
  return cohortsOfCounts(scope, OFFSETS, firstSeenCounts(store.db, scope, offsetListSql(scope, OFFSETS), params));
}

/** DAU/WAU/MAU and first-seen retention from the activity lists, as a store with every list stale (the rollup's own steps) answers them. */
function expectActivityToMatch(store: SqliteStore, reference: SqliteStore): void {
  for (const timeZone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
    for (const [from, to] of [[0, 0], [0, DAYS], [2, 5], [-3, DAYS + 30]] as const) {
      const scope = dayScope(timeZone, T0_DAY + from, T0_DAY + to);
      expect(activeUsers(store.db, scope), `${timeZone} days ${from}–${to}`).toEqual(activeUsers(reference.db, scope));
      for (const each of [store, reference]) {
        expect(retention(each.db, scope, 'first_seen', OFFSETS), `${timeZone} days ${from}–${to}`).toEqual(firstSeenFromSql(each, scope));
      }
    }
  }
}

function staleQuarters(store: SqliteStore): number {
  return store.db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM session_lists_stale) + (SELECT COUNT(*) FROM conversation_lists_stale)
            + (SELECT COUNT(*) FROM activity_steps_stale) + (SELECT COUNT(*) FROM activity_users_stale)`,
    )
    .pluck()
    .get() as number;
}

describe('quarter lists', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`answer as the rollup through folds, relabels and erasures, stale or not (seed ${seed})`, async () => {
      const random = createRandom(seed * 17);
      const store = openStore();
      const reference = openStore();
      for (let round = 0; round < 12; round += 1) {
        const events = Array.from({ length: random.int(5, 25) }, () => randomEvent(random));
        for (const each of [store, reference]) {
          await each.insertEvents(events);
          each.rollups?.catchUp();
        }
        // Some lists fresh while later events change their quarters, some stale.
        if (random.chance(0.3)) store.rollups?.refreshAllLists();
        else if (random.chance(0.5)) store.rollups?.refreshLists(random.int(1, 8));
        if (random.chance(0.15)) {
          const user = `u-${random.int(1, 12)}`;
          await store.eraseUser(user);
          await reference.eraseUser(user);
        }
        expectListsToMatchRollup(store);
        expectActivityToMatch(store, reference);
      }
      store.rollups?.refreshAllLists();
      expect(staleQuarters(store)).toBe(0);
      expect(staleQuarters(reference)).toBeGreaterThan(0);
      expectActivityToMatch(store, reference);
      expect(store.db.prepare('SELECT COUNT(*) FROM session_lists').pluck().get()).toBeGreaterThan(0);
      // Every day before the latest listed quarter has its summary written.
      expect(store.db.prepare('SELECT COUNT(*) FROM session_days').pluck().get()).toBeGreaterThan(0);
      const staleBeforeLatest = "SELECT COUNT(*) FROM session_days_stale WHERE day < (SELECT MAX(quarter) / 96 FROM session_lists)";
      expect(store.db.prepare(staleBeforeLatest).pluck().get()).toBe(0);
      expect(store.db.prepare('SELECT COUNT(*) FROM conversation_lists').pluck().get()).toBeGreaterThan(0);
      expect(store.db.prepare('SELECT COUNT(*) FROM activity_steps').pluck().get()).toBeGreaterThan(0);
      for (const packs of ['conversation_lists_days', 'activity_steps_days', 'activity_users_days']) {
        expect(store.db.prepare(`SELECT COUNT(*) FROM ${packs}`).pluck().get(), packs).toBeGreaterThan(0);
      }
      expectListsToMatchRollup(store);
    });
  }

  it('leaves the newest quarter of every kind stale on the background fold’s turns, and writes it once a later quarter comes', async () => {
    const store = openStore();
    const kinds = ['session_lists', 'conversation_lists', 'activity_steps', 'activity_users', 'user_cost_lists', 'sdk_health_lists'];
    const quarterOf = (timestamp: number): EventRecord[] => {
      const id = `${timestamp}`;
      const turn = { userId: 'ada', sessionId: `s-${id}`, conversationId: `c-${id}`, timestamp };
      return [
        promptRecord({ messageId: `p-${id}`, ...turn }),
        promptRecord({ messageId: `r-${id}`, ...turn, event: 'ai_llm_response_received', cost: 0.5, model: 'gpt' }),
        promptRecord({ messageId: `h-${id}`, ...turn, event: SDK_HEALTH_EVENT, properties: { sent: 2, storage: 'indexeddb' } }),
      ];
    };
    const quarters = (table: string): number[] => store.db.prepare(`SELECT quarter - ? FROM ${table} ORDER BY quarter`).pluck().all(T0 / QUARTER_MS) as number[];
    const expectKinds = (lists: number[], stale: number[]): void => {
      for (const kind of kinds) {
        expect(quarters(kind), kind).toEqual(lists);
        expect(quarters(`${kind}_stale`), `${kind}_stale`).toEqual(stale);
      }
    };

    await store.insertEvents(quarterOf(T0));
    store.rollups?.catchUp();
    store.rollups?.refreshLists();
    expectKinds([], [0]);
    expectListsToMatchRollup(store);

    await store.insertEvents(quarterOf(T0 + QUARTER_MS));
    store.rollups?.catchUp();
    store.rollups?.refreshLists();
    expectKinds([0], [1]);
    expectListsToMatchRollup(store);

    store.rollups?.refreshAllLists();
    expectKinds([0, 1], []);
    expectListsToMatchRollup(store);
  });

  it('reads nothing for an empty range and leaves a range off quarter-hours to the rollup', async () => {
    const store = openStore();
    await store.insertEvents([promptRecord({ messageId: 'm-a', userId: 'ada', sessionId: 's-1', timestamp: T0 + 60_000 })]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();

    expect(sessionTotalsFromLists(store.db, T0 - QUARTER_MS, T0)).toMatchObject({ sessions: 0, users: 0, medianDurationMs: 0 });
    expect(sessionTotalsFromLists(store.db, T0 + 1, T0 + QUARTER_MS)).toBeNull();
    expect(sessionTotalsFromLists(store.db, T0, T0 + QUARTER_MS)).toMatchObject({ sessions: 1, users: 1 });
  });

  it('forgets an erased user’s number with the user', async () => {
    const store = openStore();
    await store.insertEvents([
      promptRecord({ messageId: 'm-a', userId: 'ada', sessionId: 's-1', timestamp: T0 }),
      promptRecord({ messageId: 'm-b', userId: 'bob', sessionId: 's-2', timestamp: T0 }),
    ]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();
    const ordinals = (): string[] => store.db.prepare('SELECT user_key FROM user_ordinals ORDER BY user_key').pluck().all() as string[];
    expect(ordinals()).toEqual(['ada', 'bob']);

    await store.eraseUser('bob');

    expect(ordinals()).toEqual(['ada']);
    expect(sessionTotalsFromLists(store.db, T0, T0 + QUARTER_MS)).toMatchObject({ sessions: 1, users: 1 });
  });
});
