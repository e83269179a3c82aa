import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../event-record.js';
import { comparableRows, rollupOrders } from '../../../../test/support/rollup-rows.js';
import { valueListEntries } from '../../../../test/support/value-lists.js';
import { SqliteStore } from '../sqlite-store.js';
import { EVENT_ROLLUP_BACKFILLS } from './004-event-rollups.js';
import { INTENT_FLOW_DAYS_BACKFILLS } from './012-intent-flow-days.js';
import { createRandom } from '../../../demo/random.js';
import { eventComparisonsFor } from '../vocabulary-codes.js';

/**
 * The triggers of migration 004 must keep every rollup exactly equal to what
 * its backfill computes from the events, whatever the order events arrive
 * in, when the classification worker sets intents later, and when identify
 * relabels users.
 */

const ROLLUPS = rollupOrders([
  'response_rollup',
  'prompt_rollup',
  'intent_flow_rollup',
  'conversation_response_quarters',
  'conversation_entries',
  'conversation_model_entries',
  // migration 012's, kept by triggers on the same paths
  'intent_flow_days',
  'conversation_prompt_rollup',
]);
const TURN_MODELS = "SELECT id, turn_model FROM events WHERE event = 'ai_user_action' AND feedback_type IS NOT NULL ORDER BY id";

/** 2026-03-07 23:00 UTC: data straddles quarter-hours and a UTC midnight. */
const T0 = Date.UTC(2026, 2, 7, 23, 0);
const QUARTER_MS = 900_000;


let messages = 0;

function record(fields: Partial<EventRecord> & Pick<EventRecord, 'type' | 'timestamp'>): EventRecord {
  messages += 1;
  return {
    writeKey: 'wk',
    messageId: `m-${messages}`,
    event: null,
    userId: null,
    anonymousId: null,
    previousId: null,
    sessionId: null,
    conversationId: null,
    promptNumber: null,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: fields.timestamp,
    latencyMs: null,
    timeToFirstTokenMs: null,
    tokensPerSecond: null,
    responseId: null,
    regeneratedFrom: null,
    promptTokens: null,
    completionTokens: null,
    totalTokens: null,
    cost: null,
    model: null,
    status: null,
    errorType: null,
    intent: null,
    actionType: null,
    feedbackType: null,
    feedbackValue: null,
    rating: null,
    thumbsUp: null,
    debug: false, bot: false, internal: false,
    properties: {},
    context: {},
    acquisitionChannel: null,
    traits: null,
    extra: {},
    pendingPromptText: null,
    ingestClassificationUsage: null,
    ...fields,
  };
}

/** Turns of a few conversations, with ties in time, turns without prompt_number, debug events and late feedback. */
function generateEvents(seed: number): { events: EventRecord[]; identifies: EventRecord[] } {
  const random = createRandom(seed);
  const events: EventRecord[] = [];
  const identifies: EventRecord[] = [];
  const models = ['gpt-a', 'gpt-b', null] as const;
  const intents = ['billing', 'tech', null, null] as const;
  for (let c = 0; c < 8; c += 1) {
    const user = random.int(1, 4);
    const who = random.chance(0.5) ? { userId: `user-${user}` } : { anonymousId: `anon-${user}` };
    const conversationId = random.chance(0.9) ? `c-${seed}-${c}` : null;
    let ts = T0 + random.int(-3, 3) * QUARTER_MS + random.int(0, QUARTER_MS);
    const turns = random.int(1, 6);
    for (let turn = 1; turn <= turns; turn += 1) {
      // Sometimes a later turn lands earlier in time, or exactly on an earlier event's time.
      ts += random.chance(0.15) ? -random.int(0, 2 * QUARTER_MS) : random.chance(0.1) ? 0 : random.int(1, QUARTER_MS);
      const promptNumber = random.chance(0.2) ? null : turn;
      const debug = random.chance(0.2);
      const base = { ...who, conversationId, promptNumber, debug, type: 'track' as const };
      events.push(record({ ...base, event: 'ai_user_prompt_created', timestamp: ts, intent: random.pick(intents) }));
      for (let r = random.chance(0.2) ? 2 : random.chance(0.85) ? 1 : 0; r > 0; r -= 1) {
        events.push(
          record({
            ...base,
            event: 'ai_llm_response_received',
            timestamp: ts + random.int(0, 40_000),
            model: random.pick(models),
            status: random.pick(['success', 'error', 'timeout']),
            latencyMs: random.chance(0.1) ? null : random.pick([random.int(100, 9000) / 10, random.int(100, 900), 0.1 + 0.2, 1e20]),
            cost: random.chance(0.1) ? null : random.int(0, 1000) / 10_000,
            promptTokens: random.int(0, 500),
            completionTokens: random.int(0, 500),
            totalTokens: random.int(0, 1000),
            intent: random.chance(0.1) ? 'billing' : null,
          }),
        );
      }
      if (random.chance(0.6)) {
        const thumbs = random.chance(0.5);
        events.push(
          record({
            ...base,
            promptNumber: random.chance(0.3) ? null : promptNumber,
            event: 'ai_user_action',
            timestamp: ts + random.int(-1000, 60_000),
            actionType: 'feedback_given',
            feedbackType: thumbs ? 'thumbs' : 'rating',
            thumbsUp: thumbs ? random.chance(0.7) : null,
            rating: thumbs ? null : random.int(1, 5),
            model: random.chance(0.1) ? 'own-model' : null,
          }),
        );
      }
    }
  }
  for (let user = 1; user <= 4; user += 1) {
    if (random.chance(0.6)) {
      identifies.push(record({ type: 'identify', userId: `user-${user}`, anonymousId: `anon-${user}`, timestamp: T0 + 5 * QUARTER_MS }));
    }
  }
  return { events, identifies };
}


/** Rows of every rollup, once every stored event is folded, REAL sums rounded so that summation order does not matter. */
function snapshot(store: SqliteStore): Record<string, unknown[]> {
  store.rollups?.catchUp();
  const tables: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(ROLLUPS)) {
    tables[table] = comparableRows(store.db, table, order);
  }
  tables['turn_model'] = store.db.prepare(TURN_MODELS).all();
  // Latency lists are multisets per key: how values are ordered and split into chunks does not matter
  // (binary since migration 010; the backfill of 004 still writes text).
  tables['response_latencies'] = valueListEntries(store.db, 'response_latencies', 'latencies');
  return tables;
}

/** What the backfills compute from the events now (rolled back afterwards). */
function rebuilt(store: SqliteStore): Record<string, unknown[]> {
  const db = store.db;
  db.exec('SAVEPOINT rebuild');
  try {
    for (const table of [...Object.keys(ROLLUPS), 'response_latencies']) db.exec(`DELETE FROM ${table}`);
    // The backfills alone, as the migration runs them (before it creates the triggers).
    db.exec('DROP TRIGGER conversation_response_quarters_entries');
    for (const trigger of ['intent_flow_days_insert', 'intent_flow_days_update', 'intent_flow_days_delete']) db.exec(`DROP TRIGGER ${trigger}`);
    db.exec('UPDATE events SET turn_model = NULL');
    // Written for the schema of their migrations: on today's, their event names compare codes (migration 035).
    for (const statement of [...EVENT_ROLLUP_BACKFILLS, ...INTENT_FLOW_DAYS_BACKFILLS]) db.exec(eventComparisonsFor(db)(statement));
    return snapshot(store);
  } finally {
    db.exec('ROLLBACK TO rebuild; RELEASE rebuild');
  }
}

async function classifyRandomPrompts(store: SqliteStore, random: ReturnType<typeof createRandom>): Promise<void> {
  const unclassified = store.db.prepare("SELECT id FROM events WHERE event = 'ai_user_prompt_created' AND intent IS NULL").all() as { id: number }[];
  const outcomes = unclassified
    .filter(() => random.chance(0.7))
    .map(({ id }) => (random.chance(0.2) ? { eventId: String(id), intent: 'not_sampled', sampled: false } : { eventId: String(id), intent: random.pick(['billing', 'tech', 'sales']), sampled: true }));
  const usage = { day: '2026-03-07', classifier: 'test', prompts: outcomes.length, cached: 0, errors: 0, notSampled: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
  await store.recordClassifications(random.shuffle(outcomes), usage);
}

describe('migration 004 rollups', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`stay equal to their backfill through out-of-order ingest, late classification and relabelling (seed ${seed})`, async () => {
      const random = createRandom(seed);
      // Folds happen where the test says: after some batches, a random number of events.
      const store = new SqliteStore({ path: ':memory:', rollups: { background: false } });
      const foldSome = (): void => {
        if (random.chance(0.4)) store.rollups?.foldBatch(random.int(1, 25));
      };
      try {
        const { events, identifies } = generateEvents(seed);
        const arrivals = random.shuffle([...events]);
        const early = arrivals.splice(0, Math.floor(arrivals.length * 0.6));
        for (let index = 0; index < early.length; index += 7) {
          await store.insertEvents(early.slice(index, index + 7));
          foldSome();
        }
        await classifyRandomPrompts(store, random);
        await store.insertEvents(identifies.slice(0, 1));
        for (let index = 0; index < arrivals.length; index += 5) {
          await store.insertEvents(arrivals.slice(index, index + 5));
          foldSome();
        }
        await store.insertEvents(identifies.slice(1));
        foldSome();
        await classifyRandomPrompts(store, random);

        const maintained = snapshot(store);
        expect(maintained['intent_flow_rollup']?.length).toBeGreaterThan(0);
        expect(maintained['conversation_entries']?.length).toBeGreaterThan(0);
        expect(maintained).toEqual(rebuilt(store));
      } finally {
        await store.close();
      }
    });
  }
});
