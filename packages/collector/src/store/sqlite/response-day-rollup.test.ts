import { describe, expect, it } from 'vitest';
import { dayScope } from '../../../test/support/metric-scope.js';
import { promptRecord } from '../../../test/support/event-record.js';
import { storedEventColumns } from '../../../test/support/stored-event-columns.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import { createRandom, type Random } from '../../demo/random.js';
import type { MetricFilters, MetricScope, TrafficInclusion } from '../../metrics/metric-scope.js';
import type { CostGroup } from '../../metrics/metrics-source.js';
import type { EventRecord } from '../event-record.js';
import { cost, errors } from './metrics/response-queries.js';
import { ResponseDayWriter } from './response-day-rollup.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The response sums per UTC day of migration 019 answer `errors` and `cost`
 * as response_rollup alone, whether their days are fresh, partly stale or
 * never written: checked against a store whose day rows are never written,
 * through ingest, folds, erasures, retention and intents that change.
 */

const DAY_MS = 86_400_000;
/** 2026-03-02 00:00 UTC. */
const DAY0 = Date.UTC(2026, 2, 2) / DAY_MS;
const DAYS = 6;
const USERS = 6;

const openStore = inMemoryStores();
let messages = 0;

const QUARTER_MS = 900_000;
/**
 * Quarter-hours on either side of midnight in UTC, New York (05:00 UTC in
 * March) and Kathmandu (18:15 UTC): most responses land in them, so that later
 * ones add to quarter rows of days already written, as ingest does all day.
 */
const BUSY_QUARTERS = [0, 19, 20, 72, 73, 95];

function randomResponse(random: Random): EventRecord {
  messages += 1;
  const quarter = random.chance(0.8) ? random.pick(BUSY_QUARTERS) : random.int(0, 95);
  const timestamp = (DAY0 + random.int(0, DAYS - 1)) * DAY_MS + quarter * QUARTER_MS + random.int(0, QUARTER_MS / 1000 - 1) * 1000;
  const promptTokens = random.chance(0.8) ? random.int(0, 4000) : null;
  return promptRecord({
    messageId: `m-${messages}`,
    userId: `u-${random.int(1, USERS)}`,
    timestamp,
    event: 'ai_llm_response_received',
    model: random.pick(['m1', 'm2', null]),
    intent: random.pick(['billing', null]),
    status: random.pick(['success', 'error', 'timeout', null]),
    // Prices with many decimals, so that sums in another order would differ in the last bits.
    cost: random.chance(0.15) ? null : random.int(1, 2_000_000_000) / 3e9,
    promptTokens,
    completionTokens: random.chance(0.8) ? random.int(0, 4000) : null,
    totalTokens: promptTokens === null ? null : promptTokens + random.int(0, 100),
    debug: random.chance(0.1),
    bot: random.chance(0.05),
    internal: random.chance(0.05),
  });
}

/** A response with the same quarter-hour, user, flags, model and intent as `response`. */
function anotherLike(response: EventRecord, random: Random): EventRecord {
  messages += 1;
  return { ...randomResponse(random), ...response, messageId: `m-${messages}`, status: 'error', cost: random.int(1, 1_000_000) / 3e6 };
}

const TRAFFIC: readonly TrafficInclusion[] = [
  { includeDebug: false, includeBots: false, includeInternal: false },
  { includeDebug: true, includeBots: false, includeInternal: false },
  { includeDebug: true, includeBots: true, includeInternal: true },
];
const FILTERS: readonly MetricFilters[] = [{}, { model: 'm1' }, { intent: 'billing' }, { model: null, intent: null }];

function scopes(): { label: string; scope: MetricScope }[] {
  const all: { label: string; scope: MetricScope }[] = [];
  // Europe/London has offset 0 over this window (summer time starts on 2026-03-29): its days are UTC days.
  for (const timeZone of ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kathmandu']) {
    for (const [from, to] of [[0, DAYS - 1], [1, 3], [2, 2]] as const) {
      for (const traffic of TRAFFIC) {
        for (const filters of FILTERS) {
          all.push({
            label: `${timeZone} ${from}–${to} ${JSON.stringify(traffic)} ${JSON.stringify(filters)}`,
            scope: { ...dayScope(timeZone, DAY0 + from, DAY0 + to), ...traffic, filters },
          });
        }
      }
    }
  }
  return all;
}

/** Cost to 9 decimals (money is shown with 6); sums in another order differ only in the last bits. */
function closeCosts(groups: CostGroup[]): unknown[] {
  return groups.map((group) => ({ ...group, cost: expect.closeTo(group.cost, 9) }));
}

function expectSameAnswers(store: SqliteStore, reference: SqliteStore): void {
  for (const { label, scope } of scopes()) {
    for (const groupBy of ['model', 'day'] as const) {
      expect(errors(store.db, scope, groupBy), `errors ${groupBy} ${label}`).toEqual(errors(reference.db, scope, groupBy));
    }
    for (const by of ['model', 'day', 'total'] as const) {
      expect(cost(store.db, scope, { by }), `cost ${by} ${label}`).toEqual(closeCosts(cost(reference.db, scope, { by })));
    }
  }
}

function dayRows(store: SqliteStore): number {
  return store.db.prepare('SELECT COUNT(*) FROM response_day_rollup').pluck().get() as number;
}

/** A few stale days rewritten, oldest first, as one background turn with little budget left would. */
function refreshSome(store: SqliteStore, days: number): void {
  const writer = new ResponseDayWriter(store.db);
  store.db.transaction(() => writer.refresh(days))();
}

describe('response sums per day', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`answer errors and cost as the quarter-hours through folds, erasures and intent changes (seed ${seed})`, async () => {
      const random = createRandom(seed * 7919);
      const store = openStore();
      const reference = openStore();
      const sent: EventRecord[] = [];
      for (let round = 0; round < 8; round += 1) {
        // Some rounds only add to keys already there: their quarter rows change by UPDATE alone.
        const events = random.chance(0.3) && sent.length > 0
          ? Array.from({ length: random.int(1, 10) }, () => anotherLike(random.pick(sent), random))
          : Array.from({ length: random.int(20, 80) }, () => randomResponse(random));
        sent.push(...events);
        for (const each of [store, reference]) {
          await each.insertEvents(events);
          each.rollups?.catchUp();
        }
        const refresh = random.int(0, 2);
        if (refresh === 1) store.rollups?.refreshAllLists();
        if (refresh === 2) refreshSome(store, random.int(1, 3));
        const change = random.int(0, 5);
        if (change === 0) {
          const user = `u-${random.int(1, USERS)}`;
          await store.eraseUser(user);
          await reference.eraseUser(user);
        } else if (change === 1) {
          const cutoff = (DAY0 + random.int(0, DAYS)) * DAY_MS;
          const limit = random.int(1, 60);
          await store.deleteEventsBefore(cutoff, limit);
          await reference.deleteEventsBefore(cutoff, limit);
        } else if (change === 2) {
          // Classification moves a folded response to another intent (migration 010's trigger on events.intent).
          const messageId = `m-${random.int(messages - 200, messages)}`;
          const intent = random.pick(['billing', 'tech', 'refund', null]);
          for (const each of [store, reference]) {
            each.db.prepare(`UPDATE events SET ${storedEventColumns(each.db)('intent')} = ? WHERE message_id = ?`).run(intent, messageId);
          }
        }
        expectSameAnswers(store, reference);
      }
      store.rollups?.refreshAllLists();
      expect(dayRows(store)).toBeGreaterThan(0);
      expect(dayRows(reference)).toBe(0);
      expectSameAnswers(store, reference);
    });
  }

  it('leaves the latest day stale and rewrites a day whose responses were erased', async () => {
    const store = openStore();
    const at = (day: number, hour: number): number => (DAY0 + day) * DAY_MS + hour * 3_600_000;
    const response = (messageId: string, userId: string, timestamp: number, fields: Partial<EventRecord>): EventRecord =>
      promptRecord({ messageId, userId, timestamp, event: 'ai_llm_response_received', ...fields });
    await store.insertEvents([
      response('r-1', 'ann', at(0, 1), { model: 'm1', status: 'error', cost: 0.25, promptTokens: 10 }),
      response('r-2', 'bob', at(0, 23), { model: 'm1', status: 'timeout', cost: 0.5, promptTokens: 20 }),
      response('r-3', 'bob', at(1, 2), { model: 'm2', cost: 1, promptTokens: 40 }),
      response('r-4', 'ann', at(2, 5), { model: 'm2', cost: 2, promptTokens: 80 }),
    ]);
    store.rollups?.catchUp();
    const staleDays = (): unknown => store.db.prepare('SELECT day - ? FROM response_day_rollup_stale ORDER BY day').pluck().all(DAY0);
    const days = (): unknown =>
      store.db.prepare('SELECT day - ? AS day, model, responses, errors, timeouts, cost, prompt_tokens FROM response_day_rollup ORDER BY day, model').all(DAY0);
    expect(staleDays()).toEqual([0, 1, 2]);

    store.rollups?.refreshAllLists();

    expect(staleDays()).toEqual([2]);
    expect(days()).toEqual([
      { day: 0, model: 'm1', responses: 2, errors: 1, timeouts: 1, cost: 0.75, prompt_tokens: 30 },
      { day: 1, model: 'm2', responses: 1, errors: 0, timeouts: 0, cost: 1, prompt_tokens: 40 },
    ]);
    const scope = dayScope('UTC', DAY0, DAY0 + 2);
    expect(errors(store.db, scope, 'model')).toEqual([
      { key: 'm1', responses: 2, errors: 1, timeouts: 1 },
      { key: 'm2', responses: 2, errors: 0, timeouts: 0 },
    ]);

    await store.eraseUser('bob');

    expect(staleDays()).toEqual([0, 1, 2]);
    store.rollups?.refreshAllLists();
    expect(staleDays()).toEqual([2]);
    expect(days()).toEqual([{ day: 0, model: 'm1', responses: 1, errors: 1, timeouts: 0, cost: 0.25, prompt_tokens: 10 }]);
    expect(cost(store.db, scope, { by: 'total' })).toEqual([
      { key: null, cost: 2.25, promptTokens: 90, completionTokens: 0, totalTokens: 0, conversations: 0 },
    ]);
  });

  it('sums token counts beyond 64-bit integers, as rows stored before counts were bounded hold', async () => {
    const store = openStore();
    // 1,100 responses of 2^53 - 1 prompt tokens in two quarter-hours of one day, and one small response on the next day.
    const events = Array.from({ length: 1100 }, (_, index) =>
      promptRecord({
        messageId: `legacy-${index}`, userId: 'ann', timestamp: DAY0 * DAY_MS + index * 1000,
        event: 'ai_llm_response_received', model: 'm1', promptTokens: Number.MAX_SAFE_INTEGER,
      }),
    );
    await store.insertEvents([...events, promptRecord({ messageId: 'latest', userId: 'ann', timestamp: (DAY0 + 1) * DAY_MS, event: 'ai_llm_response_received' })]);
    store.rollups?.catchUp();

    expect(store.rollups?.refreshAllLists()).toBeGreaterThanOrEqual(1);

    expect(dayRows(store)).toBe(1);
    const [total] = cost(store.db, dayScope('UTC', DAY0, DAY0 + 1), { by: 'total' });
    expect(total?.promptTokens).toBeCloseTo(9_907_919_180_215_090_100, -6);
  });
});
