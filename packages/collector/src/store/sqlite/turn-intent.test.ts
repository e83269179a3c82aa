import { describe, expect, it } from 'vitest';
import type { ClassificationUsage } from '../../classification/classification-queue.js';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import type { EventRecord } from '../event-record.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * A prompt's intent is copied to the response and actions of its turn
 * (event-writer.ts). They usually arrive after the prompt and take its
 * intent at insert; these are the ones stored before the prompt's intent
 * was known: out of order, earlier in the same batch, or before the
 * classifier's verdict.
 */
const openStore = inMemoryStores();
const DAY = Date.UTC(2026, 10, 2);
const USAGE: ClassificationUsage = {
  day: '2026-11-02', classifier: 'test', prompts: 1, cached: 0, errors: 0, notSampled: 0, promptTokens: 0, completionTokens: 0, cost: 0,
};

function response(messageId: string, fields: Partial<EventRecord>): EventRecord {
  return promptRecord({ messageId, userId: 'u-1', timestamp: DAY, event: 'ai_llm_response_received', conversationId: 'c-1', model: 'm', ...fields });
}

function feedback(messageId: string, fields: Partial<EventRecord>): EventRecord {
  return promptRecord({
    messageId, userId: 'u-1', timestamp: DAY, event: 'ai_user_action', conversationId: 'c-1', actionType: 'feedback', feedbackType: 'thumbs', thumbsUp: true,
    ...fields,
  });
}

function intents(store: SqliteStore): Record<string, string | null> {
  const rows = store.db.prepare('SELECT message_id AS id, intent FROM events ORDER BY id').all() as { id: string; intent: string | null }[];
  return Object.fromEntries(rows.map((row) => [row.id, row.intent]));
}

async function classifyQueued(store: SqliteStore, intent: string): Promise<void> {
  const queued = await store.nextPromptsToClassify(10);
  expect(queued).toHaveLength(1);
  await store.recordClassifications(queued.map(({ eventId }) => ({ eventId, intent, sampled: true })), USAGE);
}

describe("a turn's intent", () => {
  it("reaches the turn's response and feedback stored before the classifier's verdict, and only that turn's", async () => {
    const store = openStore();
    await store.insertEvents([
      promptRecord({ messageId: 'p-1', userId: 'u-1', timestamp: DAY, conversationId: 'c-1', promptNumber: 1, pendingPromptText: 'fix my code' }),
      response('r-1', { timestamp: DAY + 1_000, promptNumber: 1 }),
      feedback('f-1', { timestamp: DAY + 2_000, promptNumber: 1 }),
      feedback('copy-1', { timestamp: DAY + 2_500, promptNumber: 1, actionType: 'copy', feedbackType: null, thumbsUp: null }),
      response('r-2', { timestamp: DAY + 3_000, promptNumber: 2 }),
      response('r-other', { timestamp: DAY + 1_000, conversationId: 'c-2', promptNumber: 1 }),
      response('r-known', { timestamp: DAY + 1_500, promptNumber: 1, intent: 'writing' }),
    ]);
    expect(intents(store)['r-1']).toBeNull();

    await classifyQueued(store, 'coding');

    expect(intents(store)).toEqual({
      'p-1': 'coding', 'r-1': 'coding', 'f-1': 'coding', 'copy-1': 'coding', 'r-2': null, 'r-other': null, 'r-known': 'writing',
    });
  });

  it('reaches events without a prompt number when the prompt is the latest before them', async () => {
    const store = openStore();
    await store.insertEvents([
      promptRecord({ messageId: 'p-0', userId: 'u-1', timestamp: DAY - 5_000, conversationId: 'c-1' }),
      response('r-before', { timestamp: DAY - 1_000 }),
      promptRecord({ messageId: 'p-1', userId: 'u-1', timestamp: DAY, conversationId: 'c-1', pendingPromptText: 'fix my code' }),
      response('r-after', { timestamp: DAY + 1_000 }),
      feedback('f-after', { timestamp: DAY + 2_000 }),
      promptRecord({ messageId: 'p-2', userId: 'u-1', timestamp: DAY + 10_000, conversationId: 'c-1' }),
      response('r-next', { timestamp: DAY + 11_000 }),
    ]);

    await classifyQueued(store, 'coding');

    const stored = intents(store);
    expect([stored['r-before'], stored['r-after'], stored['f-after'], stored['r-next']]).toEqual([null, 'coding', 'coding', null]);
  });

  it('reaches a response stored before its prompt when the prompt arrives classified at ingest', async () => {
    const store = openStore();
    await store.insertEvents([response('r-1', { timestamp: DAY + 1_000, promptNumber: 1 })]);
    await store.insertEvents([
      feedback('f-1', { timestamp: DAY + 2_000, promptNumber: 1 }),
      promptRecord({ messageId: 'p-1', userId: 'u-1', timestamp: DAY, conversationId: 'c-1', promptNumber: 1, intent: 'coding', ingestClassificationUsage: USAGE }),
    ]);

    expect(intents(store)).toEqual({ 'r-1': 'coding', 'f-1': 'coding', 'p-1': 'coding' });
  });
});
