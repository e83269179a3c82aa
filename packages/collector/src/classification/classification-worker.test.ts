import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { IntentClassifier } from '../intent/classifier.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import type { ClassificationOutcome, ClassificationQueue, QueuedPrompt } from './classification-queue.js';
import { startClassificationWorker, type ClassificationWorker } from './classification-worker.js';

/** Classifies by a keyword so expectations are obvious. */
const keywordClassifier: IntentClassifier = {
  name: 'keyword',
  async classify(text: string) {
    if (text.includes('refund')) return { intent: 'support_returns' };
    if (text.includes('crash')) throw new Error('classifier exploded');
    return { intent: 'other', usage: { promptTokens: 10, completionTokens: 1, totalTokens: 11, cost: 0.001 } };
  },
};

function promptEvent(messageId: string, conversationId: string, promptNumber: number, text: string, userId = 'u1') {
  return {
    type: 'track',
    event: 'ai_user_prompt_created',
    messageId,
    userId,
    timestamp: '2026-03-10T10:00:00.000Z',
    properties: { conversation_id: conversationId, prompt_number: promptNumber, prompt_text: text },
  };
}

function responseEvent(messageId: string, conversationId: string, promptNumber: number | undefined) {
  return {
    type: 'track',
    event: 'ai_llm_response_received',
    messageId,
    userId: 'u1',
    timestamp: '2026-03-10T10:00:05.000Z',
    properties: { conversation_id: conversationId, prompt_number: promptNumber, latency_ms: 900, response_text: 'ok' },
  };
}

describe('classification worker', () => {
  let app: TestApp;
  let worker: ClassificationWorker | undefined;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await worker?.stop();
    await app.close();
  });

  function intents(): Record<string, { intent: string | null; intent_sampled: number | null }> {
    const rows = app.store.db.prepare('SELECT message_id, intent, intent_sampled FROM events').all() as {
      message_id: string;
      intent: string | null;
      intent_sampled: number | null;
    }[];
    return Object.fromEntries(rows.map((row) => [row.message_id, { intent: row.intent, intent_sampled: row.intent_sampled }]));
  }

  it('classifies queued prompts, copies the intent to the turn and erases the text', async () => {
    await app.post('/v1/batch', {
      batch: [
        promptEvent('p1', 'c1', 1, 'I want a refund'),
        responseEvent('r1', 'c1', 1),
        promptEvent('p2', 'c1', 2, 'what colours are there?'),
        responseEvent('r2', 'c1', undefined),
      ],
    });
    expect(await app.store.queuedPromptCount()).toBe(2);
    worker = startClassificationWorker({ queue: app.store, classifier: keywordClassifier, isSampled: () => true, logger: pino({ level: 'silent' }) });
    await worker.drain();
    expect(await app.store.queuedPromptCount()).toBe(0);
    expect(intents()).toEqual({
      p1: { intent: 'support_returns', intent_sampled: 1 },
      r1: { intent: 'support_returns', intent_sampled: null },
      p2: { intent: 'other', intent_sampled: 1 },
      r2: { intent: 'other', intent_sampled: null },
    });
    const usage = app.store.db.prepare('SELECT classifier, prompts, errors, prompt_tokens, completion_tokens, cost FROM classification_usage').all();
    expect(usage).toEqual([{ classifier: 'keyword', prompts: 2, errors: 0, prompt_tokens: 10, completion_tokens: 1, cost: 0.001 }]);
  });

  it('gives a response that arrives after classification the intent of its prompt', async () => {
    await app.post('/v1/batch', { batch: [promptEvent('p1', 'c1', 1, 'refund please')] });
    worker = startClassificationWorker({ queue: app.store, classifier: keywordClassifier, isSampled: () => true, logger: pino({ level: 'silent' }) });
    await worker.drain();
    await app.post('/v1/batch', { batch: [responseEvent('r1', 'c1', 1)] });
    expect(intents()['r1']).toEqual({ intent: 'support_returns', intent_sampled: null });
  });

  it('marks unsampled prompts not_sampled and failures classification_error', async () => {
    await app.post('/v1/batch', {
      batch: [promptEvent('p1', 'c1', 1, 'refund', 'skipped-user'), promptEvent('p2', 'c2', 1, 'crash now')],
    });
    worker = startClassificationWorker({
      queue: app.store,
      classifier: keywordClassifier,
      isSampled: (prompt) => prompt.userKey !== 'skipped-user',
      logger: pino({ level: 'silent' }),
    });
    await worker.drain();
    expect(intents()).toEqual({
      p1: { intent: 'not_sampled', intent_sampled: 0 },
      p2: { intent: 'classification_error', intent_sampled: 1 },
    });
    expect(await app.store.queuedPromptCount()).toBe(0);
  });
});

/**
 * An in-memory queue whose rows can be made unreadable or unrecordable, as a
 * corrupt row would be. Its event ids (`p1`, `p2`…) are not numbers: ids are
 * opaque to the worker. Map order is queue order.
 */
class PoisonableQueue implements ClassificationQueue {
  readonly queued = new Map<string, string>();
  readonly intents = new Map<string, string>();
  readonly quarantined: string[] = [];
  constructor(
    texts: readonly string[],
    private readonly unreadable: ReadonlySet<string>,
    private readonly unrecordable: ReadonlySet<string>,
  ) {
    texts.forEach((text, index) => this.queued.set(`p${index + 1}`, text));
  }
  async nextPromptsToClassify(limit: number): Promise<QueuedPrompt[]> {
    const ids = [...this.queued.keys()].slice(0, limit);
    if (ids.some((id) => this.unreadable.has(id))) throw new Error('malformed JSON');
    return ids.map((eventId) => ({ eventId, text: this.queued.get(eventId) as string, userKey: 'u', plan: null, firstSeenAt: 0 }));
  }
  async recordClassifications(outcomes: readonly ClassificationOutcome[]): Promise<void> {
    if (outcomes.some((outcome) => this.unrecordable.has(outcome.eventId))) throw new Error('constraint failed');
    for (const outcome of outcomes) {
      this.intents.set(outcome.eventId, outcome.intent);
      this.queued.delete(outcome.eventId);
    }
  }
  async quarantinePrompt(eventId: string): Promise<void> {
    this.quarantined.push(eventId);
    this.intents.set(eventId, 'classification_error');
    this.queued.delete(eventId);
  }
  async classifierCostOn(): Promise<number> {
    return 0;
  }
  async oldestQueuedPromptId(): Promise<string | null> {
    return [...this.queued.keys()][0] ?? null;
  }
  async oldestQueuedPromptAt(): Promise<number | null> {
    return this.queued.size === 0 ? null : 0;
  }
  async queuedPromptCount(): Promise<number> {
    return this.queued.size;
  }
  async purgeErasedText(): Promise<void> {}
}

describe('classification worker dead letter', () => {
  const silent = pino({ level: 'silent' });

  it('quarantines a prompt that cannot be read and classifies every other one', async () => {
    const queue = new PoisonableQueue(['refund', 'hello', 'refund now', 'hi'], new Set(['p3']), new Set());
    const worker = startClassificationWorker({ queue, classifier: keywordClassifier, isSampled: () => true, logger: silent, batchSize: 10 });
    await worker.drain();
    await worker.stop();
    expect(queue.quarantined).toEqual(['p3']);
    expect(Object.fromEntries(queue.intents)).toEqual({ p1: 'support_returns', p2: 'other', p3: 'classification_error', p4: 'other' });
    expect(queue.queued.size).toBe(0);
  });

  it('quarantines a prompt whose outcome cannot be recorded and records the rest of its batch', async () => {
    const queue = new PoisonableQueue(['refund', 'hello', 'hi'], new Set(), new Set(['p2']));
    const worker = startClassificationWorker({ queue, classifier: keywordClassifier, isSampled: () => true, logger: silent, batchSize: 10 });
    await worker.drain();
    await worker.stop();
    expect(queue.quarantined).toEqual(['p2']);
    expect(Object.fromEntries(queue.intents)).toEqual({ p1: 'support_returns', p2: 'classification_error', p3: 'other' });
  });
});
