import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { comparableRows, rollupOrders } from '../../../../test/support/rollup-rows.js';
import { temporaryDatabases } from '../../../../test/support/store-factory.js';
import { promptRecord } from '../../../../test/support/event-record.js';
import { createRandom } from '../../../demo/random.js';
import { DAY_MS } from '../../../metrics/local-day.js';
import type { MetricFilters, MetricScope } from '../../../metrics/metric-scope.js';
import type { SatisfactionGroup } from '../../../metrics/metrics-source.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import type { EventRecord } from '../../event-record.js';
import { migrate } from '../migrate.js';
import { SqliteStore } from '../sqlite-store.js';
import { SATISFACTION_BACKFILLS, satisfactionRollupMigration } from './015-satisfaction-rollup.js';
import { migrations } from './index.js';
import { receivedAtColumn } from '../../../../test/support/received-at-column.js';
import { storedEventColumns, storedEventNameFor } from '../../../../test/support/stored-event-columns.js';
import { eventComparisonsFor } from '../vocabulary-codes.js';

/**
 * satisfaction_rollup: backfilled from the feedback an older database folded,
 * folded with the rest, and kept as its backfill computes it when a folded
 * feedback event's turn model or intent changes or an event is deleted.
 */

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const DAY = Math.floor(T0 / DAY_MS);
const MINUTE = 60_000;
const TABLES = rollupOrders(['satisfaction_rollup', 'satisfaction_days']);

const databases = temporaryDatabases();

function openStore(path = ':memory:'): SqliteStore {
  const store = new SqliteStore({ path, rollups: { background: false } });
  databases.keep(store);
  return store;
}

function scopeOf(fromDay: number, toDay: number, filters: MetricFilters = {}): MetricScope {
  const calendar = new ZoneCalendar('America/New_York', (fromDay - 31) * DAY_MS, (toDay + 2) * DAY_MS);
  return {
    fromDay, toDay, startMs: calendar.startOfDay(fromDay), endMs: calendar.startOfDay(toDay + 1), calendar,
    includeDebug: false, includeBots: false, includeInternal: false, filters,
  };
}

const byKey = (groups: SatisfactionGroup[]): SatisfactionGroup[] => [...groups].sort((a, b) => String(a.key).localeCompare(String(b.key)));

interface Row {
  id: string;
  event: 'ai_llm_response_received' | 'ai_user_action';
  conversation: string;
  turn: number | null;
  minutes: number;
  model?: string;
  intent?: string;
  feedback?: 'rating' | 'thumbs';
  rating?: number;
  up?: number;
  debug?: number;
}

/** Responses and feedback in id order; the feedback of c-2 arrives before its turn's response. */
const ROWS: readonly Row[] = [
  { id: 'r-1', event: 'ai_llm_response_received', conversation: 'c-1', turn: 1, minutes: 0, model: 'gpt-a', intent: 'billing' },
  { id: 'f-1', event: 'ai_user_action', conversation: 'c-1', turn: 1, minutes: 1, intent: 'billing', feedback: 'rating', rating: 4 },
  { id: 'f-2', event: 'ai_user_action', conversation: 'c-1', turn: 1, minutes: 2, intent: 'billing', feedback: 'thumbs', up: 1 },
  { id: 'f-3', event: 'ai_user_action', conversation: 'c-2', turn: 1, minutes: 3, intent: 'tech', feedback: 'rating', rating: 2.5 },
  { id: 'f-4', event: 'ai_user_action', conversation: 'c-2', turn: 1, minutes: 4, intent: 'tech', feedback: 'thumbs', up: 0, debug: 1 },
  { id: 'r-2', event: 'ai_llm_response_received', conversation: 'c-2', turn: 1, minutes: 5, model: 'gpt-b', intent: 'tech' },
  { id: 'f-5', event: 'ai_user_action', conversation: 'c-3', turn: null, minutes: 30, model: 'claude', feedback: 'rating', rating: 5 },
  { id: 'f-6', event: 'ai_user_action', conversation: 'c-1', turn: 1, minutes: 6, intent: 'billing', feedback: 'rating' },
];

function storeRows(db: Database.Database, rows: readonly Row[] = ROWS): void {
  const received = receivedAtColumn(db);
  const stored = storedEventColumns(db);
  const insert = db.prepare(
    `INSERT INTO events (${stored('write_key, message_id, type, event, user_key, conversation_id, prompt_number, ts')}, ${received.column},
                         ${stored('context, model, intent, feedback_type, rating, thumbs_up, debug')})
     VALUES ('wk', @id, 'track', ${storedEventNameFor(db)('@event')}, 'ada', @conversation, @turn, @ts, ${received.value('@ts', '@ts')}, '{}', @model, @intent, @feedback,
             @rating, @up, @debug)`,
  );
  for (const { minutes, ...row } of rows) {
    insert.run({ model: null, intent: null, feedback: null, rating: null, up: null, debug: 0, ...row, ts: T0 + minutes * MINUTE });
  }
}

describe('migration 015: satisfaction per quarter-hour, intent and turn model', () => {
  it('backfills the feedback an old database folded and folds the rest, answering as a new database does', async () => {
    const path = databases.path();
    const old = new Database(path);
    migrate(old, migrations.slice(0, migrations.indexOf(satisfactionRollupMigration)));
    storeRows(old, ROWS.slice(0, 4));
    // The old collector had folded f-3 before r-2, the response that gives it its turn model, arrived.
    old.exec('INSERT INTO events_to_fold SELECT * FROM events ORDER BY id; UPDATE rollup_watermark SET folded_through = 4');
    storeRows(old, ROWS.slice(4));
    old.close();

    const upgraded = openStore(path);
    expect(upgraded.db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)?.version);
    expect(upgraded.db.prepare("SELECT model, SUM(feedback) AS feedback FROM satisfaction_rollup GROUP BY model").all()).toEqual([
      { model: '', feedback: 1 },
      { model: 'gpt-a', feedback: 2 },
    ]);

    const scope = scopeOf(DAY, DAY);
    const byModel = byKey(await upgraded.metrics.satisfaction(scope, 'model'));
    expect(byModel).toEqual([
      { key: 'claude', ratings: 1, ratingSum: 5, thumbs: 0, thumbsUp: 0 },
      { key: 'gpt-a', ratings: 1, ratingSum: 4, thumbs: 1, thumbsUp: 1 },
      { key: 'gpt-b', ratings: 1, ratingSum: 2.5, thumbs: 0, thumbsUp: 0 },
    ]);
    const byIntent = byKey(await upgraded.metrics.satisfaction(scope, 'intent'));
    expect(byIntent).toEqual([
      { key: 'billing', ratings: 1, ratingSum: 4, thumbs: 1, thumbsUp: 1 },
      { key: null, ratings: 1, ratingSum: 5, thumbs: 0, thumbsUp: 0 },
      { key: 'tech', ratings: 1, ratingSum: 2.5, thumbs: 0, thumbsUp: 0 },
    ]);
    // The events answer a conversation filter, which the rollup has no column for.
    expect(await upgraded.metrics.satisfaction(scopeOf(DAY, DAY, { conversationId: 'c-2' }), 'model')).toEqual([
      { key: 'gpt-b', ratings: 1, ratingSum: 2.5, thumbs: 0, thumbsUp: 0 },
    ]);

    const fresh = openStore(databases.path());
    storeRows(fresh.db);
    expect(byKey(await fresh.metrics.satisfaction(scope, 'model'))).toEqual(byModel);
    expect(byKey(await fresh.metrics.satisfaction(scope, 'intent'))).toEqual(byIntent);
    expect(tables(upgraded)).toEqual(tables(fresh));
  });

  it('moves folded feedback to the model of its turn when the response is folded later', async () => {
    const store = openStore();
    await store.insertEvents([feedbackRecord('f-1', 'c-1', 1, 'rating', 3)]);
    store.rollups?.catchUp();
    expect(await store.metrics.satisfaction(scopeOf(DAY, DAY), 'model')).toEqual([{ key: null, ratings: 1, ratingSum: 3, thumbs: 0, thumbsUp: 0 }]);

    await store.insertEvents([responseRecord('r-1', 'c-1', 1, 'gpt-a')]);
    expect(await store.metrics.satisfaction(scopeOf(DAY, DAY), 'model')).toEqual([{ key: 'gpt-a', ratings: 1, ratingSum: 3, thumbs: 0, thumbsUp: 0 }]);
  });

  it('takes deleted feedback out, and gives feedback whose response is deleted its turn model again', async () => {
    const store = openStore();
    await store.insertEvents([
      responseRecord('r-1', 'c-1', 1, 'gpt-a'),
      feedbackRecord('f-1', 'c-1', 1, 'thumbs', true, { minutes: 20 }),
      feedbackRecord('f-2', 'c-1', 1, 'rating', 5, { minutes: 20, userId: 'eve' }),
    ]);
    store.rollups?.catchUp();
    await store.eraseUser('eve');
    expect(await store.metrics.satisfaction(scopeOf(DAY, DAY), 'model')).toEqual([{ key: 'gpt-a', ratings: 0, ratingSum: 0, thumbs: 1, thumbsUp: 1 }]);

    // Retention deletes the response (stored before the cutoff), not the feedback.
    await store.deleteEventsBefore(T0 + 10 * MINUTE, 100);
    expect(await store.metrics.satisfaction(scopeOf(DAY, DAY), 'model')).toEqual([{ key: null, ratings: 0, ratingSum: 0, thumbs: 1, thumbsUp: 1 }]);
  });

  it('counts a New York range as its whole UTC days and the quarter-hours before and after them', async () => {
    const store = openStore();
    // New York 03-01 to 03-03 is 03-01 05:00 to 03-04 05:00 UTC: whole UTC days 03-02 and 03-03.
    const minutes = {
      before: -28 * 60 - 1, // 03-01 04:59 UTC
      head: -28 * 60, // 03-01 05:00
      day: 3 * 60, // 03-02 12:00
      tail: 44 * 60 - 1, // 03-04 04:59
      after: 44 * 60, // 03-04 05:00
    };
    await store.insertEvents(
      Object.entries(minutes).map(([name, at], index) => feedbackRecord(`f-${name}`, 'c-1', 1, index % 2 === 0 ? 'thumbs' : 'rating', index % 2 === 0 ? true : index, { minutes: at })),
    );
    // In the range: head (rating 1), day (thumbs up), tail (rating 3).
    expect(await store.metrics.satisfaction(scopeOf(DAY - 1, DAY + 1), 'model')).toEqual([{ key: null, ratings: 2, ratingSum: 4, thumbs: 1, thumbsUp: 1 }]);
  });

  it('sums ratings the rollup cannot hold exactly as TOTAL() does over the events', async () => {
    const store = openStore();
    // In time order: 1e16 + 1 rounds back to 1e16, which TOTAL() compensates for (exact sum 3). A sum per quarter-hour
    // with plain addition would give 2; one leaving out the ratings it cannot hold exactly, 1.
    await store.insertEvents([
      feedbackRecord('f-1', 'c-1', 1, 'rating', 1e16),
      feedbackRecord('f-2', 'c-2', 1, 'rating', 1, { minutes: 5 }),
      feedbackRecord('f-3', 'c-3', 1, 'rating', -9_999_999_999_999_998, { minutes: 40 }),
    ]);
    expect(await store.metrics.satisfaction(scopeOf(DAY, DAY), 'intent')).toEqual([{ key: null, ratings: 3, ratingSum: 3, thumbs: 0, thumbsUp: 0 }]);
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`stays equal to its backfill whatever the arrival, fold, classification and deletion order (seed ${seed})`, async () => {
      const random = createRandom(seed * 6151);
      const store = openStore();
      const events = randomEvents(seed);
      random.shuffle(events);
      for (let index = 0; index < events.length; index += 3) {
        await store.insertEvents(events.slice(index, index + 3));
        // Folds between arrivals too: a response folded before, with, or after the feedback of its turn.
        if (random.chance(0.4)) store.rollups?.foldBatch(random.int(1, 10));
        if (random.chance(0.1)) await classifyWaitingPrompts(store, random.pick(['tech', 'sales']));
      }
      await classifyWaitingPrompts(store, 'tech');
      store.rollups?.catchUp();
      const deleted = store.db.prepare('SELECT message_id FROM events WHERE id % 5 = ?').pluck().all(seed % 5) as string[];
      store.db.prepare('DELETE FROM events WHERE message_id IN (SELECT value FROM json_each(?))').run(JSON.stringify(deleted));

      const maintained = tables(store);
      expect(maintained['satisfaction_days']?.length).toBeGreaterThan(0);
      expect(maintained).toEqual(rebuilt(store));
    });
  }
});

function feedbackRecord(
  messageId: string,
  conversationId: string,
  promptNumber: number | null,
  feedbackType: 'rating' | 'thumbs',
  value: number | boolean,
  fields: { minutes?: number; userId?: string } = {},
): EventRecord {
  const timestamp = T0 + (fields.minutes ?? 0) * MINUTE;
  return promptRecord({
    messageId, userId: fields.userId ?? 'ada', timestamp, event: 'ai_user_action', conversationId, promptNumber, actionType: 'feedback_given',
    feedbackType, feedbackValue: JSON.stringify(value), rating: feedbackType === 'rating' ? Number(value) : null, thumbsUp: feedbackType === 'thumbs' ? value === true : null,
  });
}

function responseRecord(messageId: string, conversationId: string, promptNumber: number, model: string): EventRecord {
  return promptRecord({ messageId, userId: 'ada', timestamp: T0, event: 'ai_llm_response_received', conversationId, promptNumber, model });
}

/** Turns answered by several models, rated and thumbed (some ratings fractional), prompts waiting for an intent. */
function randomEvents(seed: number): EventRecord[] {
  const random = createRandom(seed);
  const events: EventRecord[] = [];
  let messages = 0;
  const next = (): string => `m-${(messages += 1)}`;
  for (let c = 0; c < 6; c += 1) {
    let ts = T0 + random.int(-2, 2) * 900_000;
    for (let turn = 1; turn <= random.int(1, 4); turn += 1) {
      ts += random.int(0, 900_000);
      const base = { conversationId: `c-${c}`, promptNumber: random.chance(0.15) ? null : turn, debug: random.chance(0.15) };
      events.push(promptRecord({ ...base, messageId: next(), userId: 'u', timestamp: ts, intent: random.pick(['billing', null]) }));
      const responseIds: string[] = [];
      for (let r = random.int(0, 2); r > 0; r -= 1) {
        const responseId = `r-${c}-${turn}-${r}`;
        responseIds.push(responseId);
        events.push(
          promptRecord({
            ...base, messageId: next(), userId: 'u', timestamp: ts + random.int(0, 30_000), event: 'ai_llm_response_received',
            model: random.pick(['m1', 'm2', null]), responseId: random.chance(0.8) ? responseId : null,
          }),
        );
      }
      for (let a = random.int(0, 3); a > 0; a -= 1) {
        const rating = random.chance(0.5);
        const value = rating ? random.pick([1, 4, 5, 3.5, 0.1]) : random.chance(0.5);
        events.push(
          promptRecord({
            ...base, messageId: next(), userId: 'u', timestamp: ts + random.int(-1000, 60_000), event: 'ai_user_action', actionType: 'feedback_given',
            feedbackType: rating ? 'rating' : 'thumbs', feedbackValue: JSON.stringify(value), rating: rating ? Number(value) : null,
            thumbsUp: rating ? null : value === true, model: random.chance(0.1) ? 'own' : null,
            responseId: random.chance(0.5) ? random.pick([...responseIds, 'never-stored']) : null,
          }),
        );
      }
    }
  }
  return events;
}

/** Gives every prompt without an intent one, as the classification worker does (and its turn's actions with it). */
async function classifyWaitingPrompts(store: SqliteStore, intent: string): Promise<void> {
  const waiting = store.db.prepare("SELECT id FROM events WHERE event = 'ai_user_prompt_created' AND intent IS NULL").pluck().all() as number[];
  const usage = { day: '2026-03-02', classifier: 't', prompts: 0, cached: 0, errors: 0, notSampled: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
  await store.recordClassifications(waiting.map((id) => ({ eventId: String(id), intent, sampled: true })), usage);
}

/** Both tables as comparable rows. */
function tables(store: SqliteStore): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(TABLES).map(([table, order]) => [table, comparableRows(store.db, table, order)]));
}

/** Both tables as the migration's backfills compute them from the events (all folded). */
function rebuilt(store: SqliteStore): Record<string, unknown[]> {
  store.db.exec('SAVEPOINT rebuild');
  try {
    const [quarters, days] = SATISFACTION_BACKFILLS;
    // Written for the schema of its migration: on today's, its event names compare codes (migration 035).
    store.db.exec(`DELETE FROM satisfaction_rollup; ${eventComparisonsFor(store.db)(quarters ?? '')}`);
    // The triggers filled the days from the rows just inserted: the day backfill computes them afresh.
    store.db.exec(`DELETE FROM satisfaction_days; ${eventComparisonsFor(store.db)(days ?? '')}`);
    return tables(store);
  } finally {
    store.db.exec('ROLLBACK TO rebuild; RELEASE rebuild');
  }
}
