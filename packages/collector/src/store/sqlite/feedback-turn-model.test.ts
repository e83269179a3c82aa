import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import type { EventRecord } from '../event-record.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * Feedback counts under its turn's model (`turn_model`): its own, else that of
 * the response it names, else that of its turn's latest response. The writer
 * stores it with the row (event-writer.ts), and the fold computes it again for
 * feedback whose response came later. A row that grows once it is stored
 * splits its full page; when only the fold set it, one page of the events
 * table in fifteen was left about half empty and as many a quarter empty.
 */
const openStore = inMemoryStores();
const DAY = Date.UTC(2026, 10, 2);

function response(messageId: string, fields: Partial<EventRecord>): EventRecord {
  return promptRecord({ messageId, userId: 'u-1', timestamp: DAY, event: 'ai_llm_response_received', conversationId: 'c-1', ...fields });
}

function feedback(messageId: string, fields: Partial<EventRecord>): EventRecord {
  return promptRecord({
    messageId, userId: 'u-1', timestamp: DAY, event: 'ai_user_action', conversationId: 'c-1', actionType: 'feedback', feedbackType: 'thumbs', thumbsUp: true,
    ...fields,
  });
}

function turnModels(store: SqliteStore): Record<string, string | null> {
  const rows = store.db.prepare('SELECT message_id AS id, turn_model AS model FROM events ORDER BY id').all() as { id: string; model: string | null }[];
  return Object.fromEntries(rows.map((row) => [row.id, row.model]));
}

describe("feedback's turn model", () => {
  it('is stored with the feedback, before any fold, as the fold computes it', async () => {
    const store = openStore();
    await store.insertEvents([
      response('r-1', { timestamp: DAY + 1_000, promptNumber: 1, model: 'gpt' }),
      response('r-1b', { timestamp: DAY + 1_500, promptNumber: 1, model: 'claude' }),
      response('r-2', { timestamp: DAY + 3_000, promptNumber: 2, model: 'llama', responseId: 'resp-2' }),
      // The same batch: its turn's response is stored just before it.
      feedback('f-1', { timestamp: DAY + 2_000, promptNumber: 1 }),
    ]);
    await store.insertEvents([
      // A later batch: the latest response of turn 1, the response it names, its own model, no turn number.
      feedback('f-2', { timestamp: DAY + 4_000, promptNumber: 1 }),
      feedback('f-named', { timestamp: DAY + 4_000, promptNumber: 1, responseId: 'resp-2' }),
      feedback('f-own', { timestamp: DAY + 4_000, promptNumber: 1, model: 'mistral' }),
      feedback('f-latest', { timestamp: DAY + 2_500 }),
      feedback('copy', { timestamp: DAY + 4_000, promptNumber: 1, actionType: 'copy', feedbackType: null, thumbsUp: null }),
      feedback('f-other', { timestamp: DAY + 4_000, conversationId: 'c-2', promptNumber: 1 }),
    ]);
    expect(store.rollups?.foldedThrough()).toBe(0);
    const stored = turnModels(store);
    expect(stored).toEqual({
      'r-1': null, 'r-1b': null, 'r-2': null,
      'f-1': 'claude', 'f-2': 'claude', 'f-named': 'llama', 'f-own': 'mistral', 'f-latest': 'claude', copy: null, 'f-other': null,
    });

    store.rollups?.catchUp();
    expect(turnModels(store)).toEqual(stored);
  });

  it('reaches feedback stored before its response through the fold', async () => {
    const store = openStore();
    await store.insertEvents([feedback('f-early', { timestamp: DAY + 2_000, promptNumber: 1 })]);
    await store.insertEvents([response('r-late', { timestamp: DAY + 1_000, promptNumber: 1, model: 'gpt' })]);
    expect(turnModels(store)['f-early']).toBeNull();

    store.rollups?.catchUp();
    expect(turnModels(store)['f-early']).toBe('gpt');
  });
});
