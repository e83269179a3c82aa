import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { comparableRows } from '../../../test/support/rollup-rows.js';
import { createRandom } from '../../demo/random.js';
import type { MetricScope } from '../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../metrics/zone-calendar.js';
import { promptRecord } from '../../../test/support/event-record.js';
import type { EventRecord } from '../event-record.js';
import { listTurnDue } from './rollup-materializer.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

/** Ingest appends events; the materializer folds them into the rollups, each exactly once. */

/** 2026-03-02 09:00 UTC: quarter-hour 1_971_396 since the epoch. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const QUARTER = T0 / 900_000;
const DAY_MS = 86_400_000;
/** PRAGMA synchronous's value for FULL. */
const FULL = 2;
let messages = 0;

function prompt(userId: string, minutes: number, fields: Partial<EventRecord> = {}): EventRecord {
  messages += 1;
  return promptRecord({ messageId: `m-${messages}`, userId, sessionId: `s-${userId}`, conversationId: `c-${userId}`, timestamp: T0 + minutes * 60_000, ...fields });
}

const stores: SqliteStore[] = [];
function openStore(options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = new SqliteStore({ path: ':memory:', rollups: { background: false }, ...options });
  stores.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

/** Prompts per user in the rollups, as the materializer left them (nothing folds on this read). */
function promptsPerUser(store: SqliteStore): { user_key: string; prompts: number }[] {
  return store.db.prepare('SELECT user_key, SUM(prompts) AS prompts FROM user_activity GROUP BY user_key ORDER BY user_key').all() as {
    user_key: string;
    prompts: number;
  }[];
}

function promptRollup(store: SqliteStore): unknown[] {
  return store.db.prepare('SELECT quarter, prompts FROM prompt_rollup ORDER BY quarter').all();
}

/** Every table the fold writes, in a comparable order; event ids become message ids. */
function foldedTables(store: SqliteStore): Record<string, unknown> {
  const keys: Record<string, string> = {
    user_activity: 'quarter, user_key, debug',
    user_first_activity: 'user_key',
    session_rollup: 'session_id, debug',
    conversation_rollup: 'conversation_id, debug',
    response_rollup: 'quarter, debug, model, intent',
    response_latencies: 'quarter, debug, model, intent, chunk',
    prompt_rollup: 'quarter, debug, intent',
    intent_flow_rollup: 'with_debug, to_quarter, from_quarter, from_intent, to_intent',
    intent_flow_days: 'with_debug, to_day, from_day, from_intent, to_intent',
    conversation_prompt_rollup: 'quarter, debug, intent',
    conversation_response_quarters: 'conversation_id, debug, model, quarter',
    conversation_entries: 'quarter, debug, previous_quarter',
    user_cost_rollup: 'quarter, debug, user_key',
    user_conversation_quarters: 'user_key, conversation_id, debug, quarter',
    user_conversation_entries: 'quarter, debug, user_key, previous_quarter',
    shared_conversations: 'conversation_id',
  };
  const tables: Record<string, unknown> = {};
  for (const [table, order] of Object.entries(keys)) tables[table] = comparableRows(store.db, table, order);
  tables['user_first_touch'] = store.db
    .prepare('SELECT t.user_key, t.ts, e.message_id, t.channel FROM user_first_touch t JOIN events e ON e.id = t.event_id ORDER BY t.user_key')
    .all();
  return tables;
}

/** Prompts and responses of a few users sharing sessions and conversations, out of time order, some anonymous until they identify. */
function randomEvents(seed: number): EventRecord[] {
  const random = createRandom(seed);
  const events: EventRecord[] = [];
  for (let index = 0; index < 120; index += 1) {
    const user = `u-${random.int(1, 5)}`;
    const anonymous = random.chance(0.3);
    const fields: Partial<EventRecord> = {
      userId: anonymous ? null : user,
      anonymousId: anonymous ? `anon-${user}` : null,
      sessionId: random.chance(0.9) ? `s-${random.int(1, 6)}` : null,
      conversationId: random.chance(0.9) ? `c-${random.int(1, 8)}` : null,
      debug: random.chance(0.15),
      acquisitionChannel: random.chance(0.1) ? random.pick(['ads', 'newsletter']) : null,
    };
    const minutes = random.int(0, 240);
    if (random.chance(0.5)) events.push(prompt(user, minutes, fields));
    else events.push(prompt(user, minutes, { ...fields, event: 'ai_llm_response_received', model: random.pick(['m1', 'm2']), latencyMs: random.int(100, 900) }));
    if (anonymous && random.chance(0.2)) {
      events.push(prompt(user, minutes + 1, { type: 'identify', event: null, userId: user, anonymousId: `anon-${user}`, sessionId: null, conversationId: null }));
    }
  }
  return events;
}

describe('rollup materializer', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`folds batches of any size as it folds one event at a time (seed ${seed})`, async () => {
      const random = createRandom(seed * 31);
      const events = randomEvents(seed);
      const oneByOne = openStore();
      const batched = openStore();
      for (let index = 0; index < events.length; index += 10) {
        const chunk = events.slice(index, index + 10);
        await oneByOne.insertEvents(chunk);
        await batched.insertEvents(chunk);
        while ((oneByOne.rollups?.foldBatch(1) ?? 0) > 0);
        if (random.chance(0.5)) batched.rollups?.foldBatch(random.int(2, 40));
      }
      batched.rollups?.catchUp();

      const expected = foldedTables(oneByOne);
      expect(expected['session_rollup']).not.toEqual([]);
      expect(foldedTables(batched)).toEqual(expected);
    });
  }

  it('leaves the rollups untouched until the events are folded', async () => {
    const store = openStore();
    await store.insertEvents([prompt('ada', 1), prompt('ada', 2), prompt('bob', 20)]);

    expect(promptsPerUser(store)).toEqual([]);
    expect(store.rollups?.foldedThrough()).toBe(0);

    expect(store.rollups?.catchUp()).toBe(3);
    expect(promptsPerUser(store)).toEqual([
      { user_key: 'ada', prompts: 2 },
      { user_key: 'bob', prompts: 1 },
    ]);
    expect(promptRollup(store)).toEqual([
      { quarter: QUARTER, prompts: 2 },
      { quarter: QUARTER + 1, prompts: 1 },
    ]);
  });

  it('never moves the watermark past an event it has not folded', async () => {
    const store = openStore();
    await store.insertEvents([prompt('ada', 1), prompt('bob', 2), prompt('cy', 3)]);
    const ids = store.db.prepare('SELECT id FROM events ORDER BY id').pluck().all() as number[];

    expect(store.rollups?.foldBatch(2)).toBe(2);

    expect(store.rollups?.foldedThrough()).toBe(ids[1]);
    expect(promptsPerUser(store)).toEqual([
      { user_key: 'ada', prompts: 1 },
      { user_key: 'bob', prompts: 1 },
    ]);
  });

  it('folds every event exactly once when a fold is rolled back and run again', async () => {
    const store = openStore();
    await store.insertEvents([prompt('ada', 1), prompt('ada', 2), prompt('bob', 3)]);
    const crash = new Error('the process died before the commit');

    // The fold's own transaction nests in this one, so the throw rolls back both the rollups and the watermark.
    const foldThenCrash = store.db.transaction(() => {
      store.rollups?.foldBatch(2);
      throw crash;
    });
    expect(() => foldThenCrash()).toThrow(crash);
    expect(store.rollups?.foldedThrough()).toBe(0);
    expect(promptsPerUser(store)).toEqual([]);

    expect(store.rollups?.catchUp()).toBe(3);
    expect(store.rollups?.catchUp()).toBe(0);
    expect(promptsPerUser(store)).toEqual([
      { user_key: 'ada', prompts: 2 },
      { user_key: 'bob', prompts: 1 },
    ]);
  });

  it('counts an event whose id an erased one had before', async () => {
    const store = openStore();
    await store.insertEvents([prompt('ada', 1), prompt('bob', 2)]);
    store.rollups?.catchUp();
    // bob holds the highest id: SQLite gives it to the next event once bob's is deleted.
    await store.eraseUser('bob');
    await store.insertEvents([prompt('cy', 3)]);

    store.rollups?.catchUp();
    expect(promptsPerUser(store)).toEqual([
      { user_key: 'ada', prompts: 1 },
      { user_key: 'cy', prompts: 1 },
    ]);
  });

  it('erases events that were never folded without taking anything out of the rollups', async () => {
    const store = openStore();
    await store.insertEvents([prompt('ada', 1)]);
    store.rollups?.catchUp();
    await store.insertEvents([prompt('bob', 2), prompt('ada', 3)]);

    await store.eraseUser('bob');

    expect(promptsPerUser(store)).toEqual([{ user_key: 'ada', prompts: 2 }]);
  });

  it('answers metrics with events stored since the last fold', async () => {
    const store = openStore();
    await store.insertEvents([prompt('ada', 1), prompt('bob', 2)]);

    const day = Math.floor(T0 / DAY_MS);
    const scope: MetricScope = {
      fromDay: day, toDay: day, startMs: day * DAY_MS, endMs: (day + 1) * DAY_MS,
      calendar: new ZoneCalendar('UTC', (day - 1) * DAY_MS, (day + 2) * DAY_MS), includeDebug: false, includeBots: false, includeInternal: false, filters: {},
    };
    const intents = await store.metrics.intentCounts(scope);

    expect(intents).toEqual([{ key: null, count: 2 }]);
    expect(store.rollups?.foldedThrough()).toBe(2);
  });

  it('commits the fold with synchronous=NORMAL when asked, and gives the connection its own setting back', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'chatmeter-relaxed-fold-'));
    try {
      const store = openStore({ path: join(directory, 'events.db'), writer: 'inline', rollups: { background: false, relaxedCommits: true } });
      const synchronous = (): unknown => store.db.pragma('synchronous', { simple: true });
      expect(synchronous()).toBe(FULL);
      await store.insertEvents([prompt('ada', 1), prompt('bob', 2)]);
      const pragma = vi.spyOn(store.db, 'pragma');
      const settings = (): unknown[] => pragma.mock.calls.map(([source]) => source).filter((source) => source.startsWith('synchronous ='));

      expect(store.rollups?.foldBatch(1)).toBe(1);
      expect(settings()).toEqual(['synchronous = NORMAL', `synchronous = ${FULL}`]);
      expect(synchronous()).toBe(FULL);

      // Nested in a caller's transaction, whose commit decides (SQLite cannot switch inside one).
      pragma.mockClear();
      store.db.transaction(() => store.rollups?.catchUp())();
      expect(settings()).toEqual([]);
      expect(synchronous()).toBe(FULL);
      expect(promptsPerUser(store)).toHaveLength(2);
    } finally {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('folds in the background while the store is open', async () => {
    const store = openStore({ rollups: { idleMs: 5 } });
    await store.insertEvents([prompt('ada', 1), prompt('bob', 2)]);

    await vi.waitFor(() => expect(promptsPerUser(store)).toHaveLength(2), { timeout: 2_000, interval: 10 });
    expect(store.rollups?.foldedThrough()).toBe(2);
  });
});

describe('the background fold’s list turns', () => {
  const turn = { batchSize: 500, idleMs: 250 };

  it('waits while a full batch says more events are waiting', () => {
    expect(listTurnDue({ ...turn, folded: 500, sinceListsMs: 10_000 })).toBe(false);
  });

  it('comes on every quiet turn', () => {
    expect(listTurnDue({ ...turn, folded: 0, sinceListsMs: 0 })).toBe(true);
  });

  it('comes at most once per idle interval while events keep coming', () => {
    expect(listTurnDue({ ...turn, folded: 120, sinceListsMs: 249 })).toBe(false);
    expect(listTurnDue({ ...turn, folded: 120, sinceListsMs: 250 })).toBe(true);
  });
});
