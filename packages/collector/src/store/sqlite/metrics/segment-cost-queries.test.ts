import { describe, expect, it } from 'vitest';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { createRandom } from '../../../demo/random.js';
import { DAY_MS } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { CostGroup } from '../../../metrics/metrics-source.js';
import type { EventRecord } from '../../event-record.js';
import type { SqliteStore } from '../sqlite-store.js';
import { costBySegmentFromEvents, costBySegmentFromLists, costBySegmentFromRollups, SHARED_PAIRS_SQL, type SegmentRow } from './segment-cost-queries.js';
import { UserSegments } from './user-segments.js';
import { inMemoryStores } from '../../../../test/support/store-factory.js';
import { userCostListsWriter } from '../user-cost-lists.js';

/** Cost by user segment from migration 011's per-user rollups: what the responses say, through identify, sharing and deletes. */

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const DAY = Math.floor(T0 / DAY_MS);
/**
 * Weeks of 7 UTC days (migration 020's per-user cost lists): DAY is in week
 * 2930, days DAY - 4 to DAY + 2; week 2929 is days DAY - 11 to DAY - 5, week
 * 2928 days DAY - 18 to DAY - 12.
 */
const WEEK_OF_T0 = 2930;
/** Minutes from T0 to a time in week 2929: 2026-02-21 (DAY - 9) 09:00 UTC. */
const IN_WEEK_BEFORE = -9 * 24 * 60;
let messages = 0;

function event(fields: Partial<EventRecord>): EventRecord {
  messages += 1;
  const timestamp = fields.timestamp ?? T0;
  return {
    writeKey: 'wk', messageId: `m-${messages}`, type: 'track', event: 'ai_llm_response_received', userId: null, anonymousId: null, previousId: null,
    sessionId: null, conversationId: null, promptNumber: null, originalTimestamp: null, sentAt: null, receivedAt: timestamp,
    timestamp, latencyMs: null, timeToFirstTokenMs: null, tokensPerSecond: null, responseId: null, regeneratedFrom: null, promptTokens: null,
    completionTokens: null, totalTokens: null, cost: null, model: 'm1', status: null, errorType: null, intent: null, actionType: null,
    feedbackType: null, feedbackValue: null, rating: null, thumbsUp: null, debug: false, bot: false, internal: false, properties: {}, context: {},
    acquisitionChannel: null, traits: null, extra: {}, pendingPromptText: null, ingestClassificationUsage: null, ...fields,
  };
}

/** A response of `userId` in `conversationId`, `minutes` after T0. */
function response(userId: string, conversationId: string | null, minutes: number, cost: number, fields: Partial<EventRecord> = {}): EventRecord {
  return event({ userId, conversationId, timestamp: T0 + minutes * 60_000, cost, promptTokens: 10, completionTokens: 5, totalTokens: 15, ...fields });
}

function identify(userId: string, traits: Record<string, unknown>, anonymousId: string | null = null): EventRecord {
  return event({ type: 'identify', event: null, model: null, userId, anonymousId, traits });
}

const openStore = inMemoryStores();

/** The answer by segment, in key order, money rounded as the endpoint rounds it. */
async function costByPlan(store: SqliteStore, scope: MetricScope = dayScope('UTC', DAY, DAY)): Promise<CostGroup[]> {
  const rows = await store.metrics.cost(scope, { by: 'segment', trait: 'plan' });
  return comparable(rows);
}

function comparable(rows: readonly (CostGroup | SegmentRow)[]): CostGroup[] {
  return rows
    .map((row) => ({ ...row, key: row.key === null ? null : String(row.key), cost: Math.round(row.cost * 1e6) / 1e6 + 0 }))
    .sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

/**
 * The per-user cost lists, with segments kept in `segments`, answer as the
 * rollups over ranges in several zones: in UTC, days DAY - 18 to DAY + 1 hold
 * weeks 2928 and 2929, DAY - 11 to DAY - 5 is week 2929 alone, DAY - 12 to
 * DAY week 2929 with days around it; Kathmandu's days DAY - 18 to DAY + 1
 * hold both weeks, New York's week 2929 only.
 */
function expectListsToMatchRollups(store: SqliteStore, segments: UserSegments): void {
  for (const timeZone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
    for (const [fromDay, toDay] of [[DAY - 3, DAY], [DAY - 1, DAY - 1], [DAY, DAY + 1], [DAY - 18, DAY + 1], [DAY - 11, DAY - 5], [DAY - 12, DAY]] as const) {
      const scope = dayScope(timeZone, fromDay, toDay);
      const range = `${timeZone} days ${fromDay - DAY}–${toDay - DAY}`;
      expect(comparable(costBySegmentFromLists(store.db, scope, 'plan', segments)), range).toEqual(comparable(costBySegmentFromRollups(store.db, scope, 'plan')));
    }
  }
}

const tokens = (responses: number) => ({ promptTokens: 10 * responses, completionTokens: 5 * responses, totalTokens: 15 * responses });

describe('cost by user segment', () => {
  it("sums each user's responses under their trait's current value, and users without a readable one under none", async () => {
    const store = openStore();
    await store.insertEvents([
      identify('ada', { plan: 'pro' }),
      identify('bob', { plan: 'free' }),
      identify('cy', { company: 'acme' }),
      response('ada', 'c-1', 1, 0.5),
      response('ada', 'c-1', 2, 0.25),
      response('ada', 'c-2', 20, 1),
      response('ada', 'c-3', 3, 9, { debug: true }),
      response('bob', 'c-4', 4, 2),
      response('cy', 'c-5', 5, 4),
      response('dee', null, 6, 8),
    ]);
    store.rollups?.catchUp();
    await store.insertEvents([identify('bob', { plan: 'team' }), response('bob', 'c-4', 60, 1)]);

    expect(await costByPlan(store)).toEqual([
      { key: null, cost: 12, ...tokens(2), conversations: 1 },
      { key: 'pro', cost: 1.75, ...tokens(3), conversations: 2 },
      { key: 'team', cost: 3, ...tokens(2), conversations: 1 },
    ]);
  });

  it('moves the folded responses of an anonymous user to the user they identify as', async () => {
    const store = openStore();
    await store.insertEvents([
      identify('ada', { plan: 'pro' }),
      response('anon-1', 'c-1', 1, 0.5, { userId: null, anonymousId: 'anon-1' }),
      response('anon-1', 'c-2', 70, 0.25, { userId: null, anonymousId: 'anon-1' }),
    ]);
    expect(await costByPlan(store)).toEqual([{ key: null, cost: 0.75, ...tokens(2), conversations: 2 }]);

    await store.insertEvents([identify('ada', {}, 'anon-1'), response('ada', 'c-2', 80, 1)]);

    expect(await costByPlan(store)).toEqual([{ key: 'pro', cost: 1.75, ...tokens(3), conversations: 2 }]);
    expect(store.db.prepare('SELECT DISTINCT user_key FROM user_cost_rollup').pluck().all()).toEqual(['ada']);
  });

  it('counts a conversation that users of one segment share once, and once in each segment it reaches', async () => {
    const store = openStore();
    await store.insertEvents([
      identify('ada', { plan: 'pro' }),
      identify('eve', { plan: 'pro' }),
      identify('bob', { plan: 'free' }),
      response('ada', 'c-shared', 1, 1),
      response('eve', 'c-shared', 2, 1),
      response('bob', 'c-shared', 3, 1),
      response('eve', 'c-own', 4, 1),
    ]);

    expect(await costByPlan(store)).toEqual([
      { key: 'free', cost: 1, ...tokens(1), conversations: 1 },
      { key: 'pro', cost: 3, ...tokens(3), conversations: 2 },
    ]);
    expect(store.db.prepare('SELECT conversation_id FROM shared_conversations').pluck().all()).toEqual(['c-shared']);
  });

  it('looks up the quarters of the shared conversations rather than every conversation quarter of the range', () => {
    const store = openStore();
    const plan = store.db
      .prepare(`EXPLAIN QUERY PLAN ${SHARED_PAIRS_SQL} SELECT * FROM shared_pairs`)
      .all({ q0: 0, q1: 1 })
      .map((step) => (step as { detail: string }).detail);
    expect(plan).toContain('SCAN s');
    expect(plan).toContain('SEARCH q USING PRIMARY KEY (conversation_id=?)');
  });

  it('leaves out the responses of an erased user and those retention deleted', async () => {
    const store = openStore();
    await store.insertEvents([
      identify('ada', { plan: 'pro' }),
      identify('eve', { plan: 'pro' }),
      response('ada', 'c-shared', 1, 1),
      response('eve', 'c-shared', 2, 2),
      response('eve', 'c-old', -60 * 24 * 5, 4),
    ]);
    store.rollups?.catchUp();

    await store.eraseUser('ada');
    expect(await costByPlan(store)).toEqual([{ key: 'pro', cost: 2, ...tokens(1), conversations: 1 }]);
    expect(store.db.prepare('SELECT COUNT(*) FROM shared_conversations').pluck().get()).toBe(0);

    expect(await costByPlan(store, dayScope('UTC', DAY - 5, DAY))).toEqual([{ key: 'pro', cost: 6, ...tokens(2), conversations: 2 }]);
    await store.deleteEventsBefore(T0 - DAY_MS, 100);
    expect(await costByPlan(store, dayScope('UTC', DAY - 5, DAY))).toEqual([{ key: 'pro', cost: 2, ...tokens(1), conversations: 1 }]);
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`answers from the rollups as from the responses, through folds, identifies and deletes in any order (seed ${seed})`, async () => {
      const random = createRandom(seed * 7919);
      const store = openStore();
      const segments = new UserSegments();
      const users = ['ada', 'bob', 'cy', 'dee', 'eve'];
      for (let step = 0; step < 40; step += 1) {
        const batch: EventRecord[] = [];
        for (let index = 0; index < 8; index += 1) {
          const user = random.pick(users);
          const anonymous = random.chance(0.3);
          // Responses over four days and, half of them, the two weeks before (whole weeks of per-user cost lists), some
          // conversations spanning hours (and so local midnights), shared now and then.
          const minutes = random.chance(0.5) ? random.int(-3 * 24 * 60, 24 * 60) : random.int(-18 * 24 * 60, -3 * 24 * 60);
          batch.push(
            response(user, random.chance(0.1) ? null : `c-${random.int(1, 12)}`, minutes, random.int(0, 1000) / 1000, {
              userId: anonymous ? null : user,
              anonymousId: anonymous ? `anon-${user}` : null,
              debug: random.chance(0.1),
              bot: random.chance(0.05),
            }),
          );
        }
        if (random.chance(0.2)) {
          const user = random.pick(users);
          batch.push(identify(user, random.chance(0.8) ? { plan: random.pick(['pro', 'free', 1, true]) } : {}, `anon-${user}`));
        }
        await store.insertEvents(batch);
        if (random.chance(0.5)) store.rollups?.foldBatch(random.int(1, 30));
        if (random.chance(0.05)) await store.eraseUser(random.pick(users));
        if (random.chance(0.05)) await store.deleteEventsBefore(T0 - random.int(0, 3) * DAY_MS, random.int(1, 20));
        // The per-user cost lists of migrations 018 (quarters) and 020 (weeks), fresh, partly stale or stale, with segments kept
        // from earlier checks.
        if (random.chance(0.3)) store.rollups?.refreshLists(random.int(1, 40));
        if (step % 8 === 7) {
          store.rollups?.catchUp();
          expectListsToMatchRollups(store, segments);
        }
      }
      store.rollups?.catchUp();

      expect(store.db.prepare('SELECT COUNT(*) FROM shared_conversations').pluck().get()).toBeGreaterThan(0);
      for (const timeZone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
        for (const [fromDay, toDay] of [[DAY - 3, DAY], [DAY - 1, DAY - 1], [DAY - 2, DAY + 1]] as const) {
          const scope = dayScope(timeZone, fromDay, toDay);
          const fromEvents = comparable(costBySegmentFromEvents(store.db, scope, 'plan'));
          expect(fromEvents.length).toBeGreaterThan(0);
          expect(comparable(costBySegmentFromRollups(store.db, scope, 'plan'))).toEqual(fromEvents);
        }
      }
      expectListsToMatchRollups(store, segments);
      store.rollups?.refreshAllLists();
      expect(store.db.prepare('SELECT COUNT(*) FROM user_cost_lists_stale').pluck().get()).toBe(0);
      expect(store.db.prepare('SELECT COUNT(*) FROM user_cost_lists').pluck().get()).toBeGreaterThan(0);
      // Every week written but the latest, which ingest keeps changing.
      expect(store.db.prepare('SELECT week FROM user_cost_week_lists_stale').pluck().all()).toEqual([WEEK_OF_T0]);
      expect(store.db.prepare('SELECT week FROM user_cost_week_lists ORDER BY week').pluck().all()).toEqual([WEEK_OF_T0 - 2, WEEK_OF_T0 - 1]);
      expectListsToMatchRollups(store, segments);
    });
  }

  it('answers a whole week from its list, and from its quarters while a late response waits for the week to be rewritten', async () => {
    const store = openStore();
    const segments = new UserSegments();
    await store.insertEvents([
      identify('ada', { plan: 'pro' }),
      identify('bob', { plan: 'free' }),
      response('ada', 'c-1', IN_WEEK_BEFORE, 1),
      response('bob', 'c-2', IN_WEEK_BEFORE + 30, 2),
      response('ada', 'c-3', 0, 0.5),
    ]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();
    const week = dayScope('UTC', DAY - 11, DAY - 5);
    const answer = (): CostGroup[] => comparable(costBySegmentFromLists(store.db, week, 'plan', segments));
    expect(store.db.prepare('SELECT week FROM user_cost_week_lists').pluck().all()).toEqual([WEEK_OF_T0 - 1]);
    expect(answer()).toEqual([
      { key: 'free', cost: 2, ...tokens(1), conversations: 1 },
      { key: 'pro', cost: 1, ...tokens(1), conversations: 1 },
    ]);
    const withLateResponse = [
      { key: 'free', cost: 2.25, ...tokens(2), conversations: 2 },
      { key: 'pro', cost: 1, ...tokens(1), conversations: 1 },
    ];

    await store.insertEvents([response('bob', 'c-4', IN_WEEK_BEFORE + 60 * 24, 0.25)]);
    store.rollups?.catchUp();
    // Its quarter is stale, and with it the week: read from its quarters, the stale one from the rollup.
    expect(store.db.prepare('SELECT week FROM user_cost_week_lists_stale ORDER BY week').pluck().all()).toEqual([WEEK_OF_T0 - 1, WEEK_OF_T0]);
    expect(answer()).toEqual(withLateResponse);
    store.db.transaction(() => userCostListsWriter(store.db).refresh(10))();
    // The quarter's list is rewritten, the week not yet: still read from its quarters.
    expect(store.db.prepare('SELECT week FROM user_cost_week_lists_stale ORDER BY week').pluck().all()).toEqual([WEEK_OF_T0 - 1, WEEK_OF_T0]);
    expect(answer()).toEqual(withLateResponse);
    store.rollups?.refreshAllLists();
    expect(store.db.prepare('SELECT week FROM user_cost_week_lists_stale').pluck().all()).toEqual([WEEK_OF_T0]);
    expect(answer()).toEqual(withLateResponse);
    expect(answer()).toEqual(comparable(costBySegmentFromRollups(store.db, week, 'plan')));
  });

  it('reads no segment kept from before a user went and their number came back for another user', async () => {
    const store = openStore();
    const segments = new UserSegments();
    await store.insertEvents([identify('ada', { plan: 'pro' }), identify('bob', { plan: 'free' }), response('ada', 'c-1', 1, 1), response('bob', 'c-2', 2, 2)]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();
    const scope = dayScope('UTC', DAY, DAY);
    expect(comparable(costBySegmentFromLists(store.db, scope, 'plan', segments)).map((row) => row.key)).toEqual(['free', 'pro']);
    const bobsNumber = store.db.prepare(`SELECT ordinal FROM user_ordinals WHERE user_key = 'bob'`).pluck().get();
    expect(bobsNumber).toBe(store.db.prepare('SELECT MAX(ordinal) FROM user_ordinals').pluck().get());

    await store.eraseUser('bob');
    await store.insertEvents([identify('cy', { plan: 'team' }), response('cy', 'c-3', 3, 4)]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();

    expect(store.db.prepare(`SELECT ordinal FROM user_ordinals WHERE user_key = 'cy'`).pluck().get()).toBe(bobsNumber);
    expect(comparable(costBySegmentFromLists(store.db, scope, 'plan', segments))).toEqual(comparable(costBySegmentFromRollups(store.db, scope, 'plan')));
    expect(comparable(costBySegmentFromLists(store.db, scope, 'plan', segments)).map((row) => row.key)).toEqual(['pro', 'team']);
  });

  it('reads no week list summed before a user went and their number came back for another user', async () => {
    const store = openStore();
    const segments = new UserSegments();
    await store.insertEvents([
      identify('ada', { plan: 'pro' }),
      identify('bob', { plan: 'free' }),
      response('ada', 'c-1', IN_WEEK_BEFORE, 1),
      response('bob', 'c-2', IN_WEEK_BEFORE + 1, 2),
      // A later week holds the newest response, so that week 2929 is written.
      response('ada', 'c-9', 0, 0.5),
    ]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();
    const week = dayScope('UTC', DAY - 11, DAY - 5);
    expect(store.db.prepare('SELECT week FROM user_cost_week_lists').pluck().all()).toEqual([WEEK_OF_T0 - 1]);
    expect(comparable(costBySegmentFromLists(store.db, week, 'plan', segments)).map((row) => row.key)).toEqual(['free', 'pro']);
    const bobsNumber = store.db.prepare(`SELECT ordinal FROM user_ordinals WHERE user_key = 'bob'`).pluck().get();
    expect(bobsNumber).toBe(store.db.prepare('SELECT MAX(ordinal) FROM user_ordinals').pluck().get());

    await store.eraseUser('bob');
    await store.insertEvents([identify('cy', { plan: 'team' }), response('cy', 'c-3', IN_WEEK_BEFORE + 2, 4)]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();

    expect(store.db.prepare(`SELECT ordinal FROM user_ordinals WHERE user_key = 'cy'`).pluck().get()).toBe(bobsNumber);
    expect(store.db.prepare('SELECT week FROM user_cost_week_lists').pluck().all()).toEqual([WEEK_OF_T0 - 1]);
    expect(comparable(costBySegmentFromLists(store.db, week, 'plan', segments))).toEqual([
      { key: 'pro', cost: 1, ...tokens(1), conversations: 1 },
      { key: 'team', cost: 4, ...tokens(1), conversations: 1 },
    ]);
    expect(comparable(costBySegmentFromLists(store.db, week, 'plan', segments))).toEqual(comparable(costBySegmentFromRollups(store.db, week, 'plan')));
  });

  it('follows a changed trait into the segments it keeps', async () => {
    const store = openStore();
    const segments = new UserSegments();
    await store.insertEvents([identify('ada', { plan: 'pro' }), response('ada', 'c-1', 1, 1)]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();
    const scope = dayScope('UTC', DAY, DAY);
    expect(costBySegmentFromLists(store.db, scope, 'plan', segments).map((row) => row.key)).toEqual(['pro']);

    await store.insertEvents([identify('ada', { plan: 'team' })]);

    expect(costBySegmentFromLists(store.db, scope, 'plan', segments).map((row) => row.key)).toEqual(['team']);
    expect(costBySegmentFromLists(store.db, scope, 'tier', segments).map((row) => row.key)).toEqual([null]);
  });
});
