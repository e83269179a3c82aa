import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../metrics/local-day.js';
import type { MetricScope, TrafficInclusion } from '../../../metrics/metric-scope.js';
import type { IntentFlow, KeyedCount } from '../../../metrics/metrics-source.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import type { EventRecord } from '../../event-record.js';
import { SqliteStore } from '../sqlite-store.js';

/**
 * Intent flows and their ends read from the rollups (migration 012): a range
 * in New York is its whole UTC days plus the quarter-hours before and after
 * them, and each part must count exactly the transitions with both prompts
 * in the range. Expected values are worked out by hand from the prompts below.
 */

const at = (day: number, hour: number): number => Date.UTC(2026, 2, day, hour);
/** 2026-03-03 as a local day number; New York is UTC−5 until 2026-03-08. */
const MARCH_3 = at(3, 0) / DAY_MS;
const ORDINARY: TrafficInclusion = { includeDebug: false, includeBots: false, includeInternal: false };
const ALL_TRAFFIC: TrafficInclusion = { includeDebug: true, includeBots: true, includeInternal: true };

interface Prompt {
  id: string;
  conversation: string | null;
  ts: number;
  intent: string | null;
  debug?: boolean;
}

/**
 * For New York 2026-03-03 and 03-04, [03-03 05:00, 03-05 05:00) UTC: the
 * quarters before 03-04 00:00 UTC, the whole UTC day 03-04, the quarters after.
 */
const PROMPTS: readonly Prompt[] = [
  { id: 'a-before', conversation: 'c-a', ts: at(3, 4), intent: 'billing' },
  { id: 'a-head', conversation: 'c-a', ts: at(3, 6), intent: 'billing' },
  { id: 'a-day-1', conversation: 'c-a', ts: at(4, 10), intent: 'tech' },
  { id: 'a-day-2', conversation: 'c-a', ts: at(4, 11), intent: 'tech' },
  { id: 'a-tail', conversation: 'c-a', ts: at(5, 0), intent: 'sales' },
  { id: 'a-after', conversation: 'c-a', ts: at(5, 6), intent: 'sales' },
  { id: 'b-head', conversation: 'c-b', ts: at(3, 22), intent: 'tech', debug: true },
  { id: 'b-day', conversation: 'c-b', ts: at(4, 0), intent: 'billing', debug: true },
  { id: 'c-day', conversation: 'c-c', ts: at(4, 12), intent: null },
  { id: 'd-head-1', conversation: 'c-d', ts: at(3, 5), intent: 'sales' },
  { id: 'd-head-2', conversation: 'c-d', ts: at(3, 5) + 60_000, intent: 'billing' },
  { id: 'e-head', conversation: 'c-e', ts: at(3, 23), intent: 'sales' },
  { id: 'e-tail', conversation: 'c-e', ts: at(5, 0), intent: 'tech' },
  { id: 'no-conversation', conversation: null, ts: at(4, 12), intent: 'tech' },
];

function record(prompt: Prompt): EventRecord {
  return {
    writeKey: 'wk', messageId: prompt.id, type: 'track', event: 'ai_user_prompt_created', userId: 'ada', anonymousId: null, previousId: null,
    sessionId: 's-1', conversationId: prompt.conversation, promptNumber: null, originalTimestamp: null, sentAt: null, receivedAt: prompt.ts,
    timestamp: prompt.ts, latencyMs: null, timeToFirstTokenMs: null, tokensPerSecond: null, responseId: null, regeneratedFrom: null,
    promptTokens: null, completionTokens: null, totalTokens: null, cost: null, model: null, status: null, errorType: null, intent: prompt.intent,
    actionType: null, feedbackType: null, feedbackValue: null, rating: null, thumbsUp: null, debug: prompt.debug ?? false, bot: false,
    internal: false, properties: {}, context: {}, acquisitionChannel: null, traits: null, extra: {}, pendingPromptText: null,
    ingestClassificationUsage: null,
  };
}

function scope(timeZone: string, fromDay: number, toDay: number, traffic: TrafficInclusion, startMs: number, endMs: number): MetricScope {
  return { fromDay, toDay, startMs, endMs, calendar: new ZoneCalendar(timeZone, startMs - 40 * DAY_MS, endMs + DAY_MS), ...traffic, filters: {} };
}
/** New York 2026-03-03 to 03-04. */
const newYorkTwoDays = (traffic: TrafficInclusion): MetricScope => scope('America/New_York', MARCH_3, MARCH_3 + 1, traffic, at(3, 5), at(5, 5));

const stores: SqliteStore[] = [];
async function storeWith(prompts: readonly Prompt[]): Promise<SqliteStore> {
  const store = new SqliteStore({ path: ':memory:', rollups: { background: false } });
  stores.push(store);
  await store.insertEvents(prompts.map(record));
  return store;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

const sorted = <T extends object>(rows: readonly T[]): T[] => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
async function flowsOf(store: SqliteStore, query: MetricScope): Promise<{ flows: IntentFlow[]; ends: KeyedCount[] }> {
  return { flows: sorted(await store.metrics.intentFlows(query)), ends: sorted(await store.metrics.intentFlowEnds(query)) };
}

describe('intent flows from the rollups', () => {
  it('counts the transitions within a New York range: into its whole UTC day, inside it, out of it, and before it', async () => {
    const store = await storeWith(PROMPTS);

    expect(await flowsOf(store, newYorkTwoDays(ORDINARY))).toEqual({
      flows: [
        { from: 'billing', to: 'tech', count: 1 },
        { from: 'sales', to: 'billing', count: 1 },
        { from: 'sales', to: 'tech', count: 1 },
        { from: 'tech', to: 'sales', count: 1 },
        { from: 'tech', to: 'tech', count: 1 },
      ],
      ends: [
        { key: 'billing', count: 1 },
        { key: 'sales', count: 1 },
        { key: 'tech', count: 1 },
        { key: null, count: 1 },
      ],
    });
  });

  it('follows the chain of every prompt when all traffic counts', async () => {
    const store = await storeWith(PROMPTS);

    expect(await flowsOf(store, newYorkTwoDays(ALL_TRAFFIC))).toEqual({
      flows: [
        { from: 'billing', to: 'tech', count: 1 },
        { from: 'sales', to: 'billing', count: 1 },
        { from: 'sales', to: 'tech', count: 1 },
        { from: 'tech', to: 'billing', count: 1 },
        { from: 'tech', to: 'sales', count: 1 },
        { from: 'tech', to: 'tech', count: 1 },
      ],
      ends: [
        { key: 'billing', count: 2 },
        { key: 'sales', count: 1 },
        { key: 'tech', count: 1 },
        { key: null, count: 1 },
      ],
    });
  });

  it('answers a New York day that holds no whole UTC day, and a UTC day that is one', async () => {
    const store = await storeWith(PROMPTS);

    expect(await flowsOf(store, scope('America/New_York', MARCH_3 + 1, MARCH_3 + 1, ORDINARY, at(4, 5), at(5, 5)))).toEqual({
      flows: [
        { from: 'tech', to: 'sales', count: 1 },
        { from: 'tech', to: 'tech', count: 1 },
      ],
      ends: [
        { key: 'sales', count: 1 },
        { key: 'tech', count: 1 },
        { key: null, count: 1 },
      ],
    });
    expect(await flowsOf(store, scope('UTC', MARCH_3 + 1, MARCH_3 + 1, ORDINARY, at(4, 0), at(5, 0)))).toEqual({
      flows: [{ from: 'tech', to: 'tech', count: 1 }],
      ends: [
        { key: 'tech', count: 1 },
        { key: null, count: 1 },
      ],
    });
  });

  it('moves an end to the intent the classifier gives its prompt later', async () => {
    const store = await storeWith(PROMPTS);
    // Classified after the fold: the triggers move the folded prompt (an unfolded one is folded with its new intent).
    store.rollups?.catchUp();
    const id = store.db.prepare("SELECT id FROM events WHERE message_id = 'c-day'").pluck().get() as number;

    const usage = { day: '2026-03-04', classifier: 'test', prompts: 1, cached: 0, errors: 0, notSampled: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
    await store.recordClassifications([{ eventId: String(id), intent: 'billing', sampled: true }], usage);

    expect((await flowsOf(store, newYorkTwoDays(ORDINARY))).ends).toEqual([
      { key: 'billing', count: 2 },
      { key: 'sales', count: 1 },
      { key: 'tech', count: 1 },
    ]);
  });

  it('joins the neighbours of a deleted prompt into one transition', async () => {
    const store = await storeWith(PROMPTS);
    store.rollups?.catchUp();

    // Deletes run after a fold, as retention and erasure do (lifecycle-statements.ts).
    store.db.prepare("DELETE FROM events WHERE message_id = 'a-day-2'").run();

    expect((await flowsOf(store, newYorkTwoDays(ORDINARY))).flows).toEqual([
      { from: 'billing', to: 'tech', count: 1 },
      { from: 'sales', to: 'billing', count: 1 },
      { from: 'sales', to: 'tech', count: 1 },
      { from: 'tech', to: 'sales', count: 1 },
    ]);
  });
});
