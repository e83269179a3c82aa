import { readFileSync, existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino, type Logger } from 'pino';
import { createBuiltinClassifier } from '../intent/builtin-classifier.js';
import type { IntentClassifier } from '../intent/classifier.js';
import { loadTaxonomy } from '../intent/taxonomy.js';
import { DEV_WRITE_KEY, startTestApp, type TestApp } from '../../test/support/test-app.js';
import { selectEvents } from '../../test/support/read-events.js';

const CANARY = 'I want a refund for my order, email me at jane.roe@example.com';
const RECEIVED_AT = Date.UTC(2026, 2, 10, 12, 0, 0);

const builtin = createBuiltinClassifier(loadTaxonomy());

function prompt(messageId: string, text: string, properties: Record<string, unknown> = {}) {
  return {
    type: 'track',
    event: 'ai_user_prompt_created',
    messageId,
    userId: 'u1',
    timestamp: '2026-03-10T11:59:00.000Z',
    properties: { conversation_id: 'c1', prompt_number: 1, prompt_text: text, text_mode: 'classify', ...properties },
  };
}

function response(messageId: string) {
  return {
    type: 'track',
    event: 'ai_llm_response_received',
    messageId,
    userId: 'u1',
    timestamp: '2026-03-10T11:59:01.000Z',
    properties: { conversation_id: 'c1', prompt_number: 1, latency_ms: 800 },
  };
}

/** A pino logger at debug level whose lines are kept in memory. */
function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function startWith(classifier: IntentClassifier, logger = pino({ level: 'silent' })): Promise<TestApp> {
  app = await startTestApp({ now: () => RECEIVED_AT, appOptions: { inlineClassifier: classifier, logger } });
  return app;
}

function storedEvents(test: TestApp) {
  return selectEvents(test.store.db).map(({ message_id, intent, intent_sampled, properties }) => ({ message_id, intent, intent_sampled, properties }));
}

function fileBytes(path: string): Buffer {
  return existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
}

describe('classification at ingest with the built-in classifier', () => {
  it("sets the intent of a prompt sent with text_mode 'classify' before answering, and queues nothing", async () => {
    const test = await startWith(builtin);
    const answer = await test.post('/v1/batch', { batch: [prompt('p1', CANARY)] });
    expect(answer.status).toBe(200);
    const [stored] = storedEvents(test);
    expect(stored).toMatchObject({ message_id: 'p1', intent: 'support_returns', intent_sampled: 1 });
    expect(JSON.parse(stored!.properties)).toEqual({ conversation_id: 'c1', prompt_number: 1, text_mode: 'classify', prompt_length: 62 });
    expect(await test.store.queuedPromptCount()).toBe(0);
  });

  it('keeps the prompt text out of the database file, its WAL and the debug-level logs', async () => {
    const { logger, lines } = capturedLogger();
    const test = await startWith(builtin, logger);
    await test.post('/v1/batch', { batch: [prompt('p1', CANARY), response('r1')] });
    await test.post('/v1/track', prompt('p2', `${CANARY} again`));
    // Read before any checkpoint: the text must never have been written, not merely erased later.
    const bytes = Buffer.concat([fileBytes(test.dbPath), fileBytes(`${test.dbPath}-wal`)]);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes('jane.roe')).toBe(false);
    expect(bytes.includes('refund for my order')).toBe(false);
    expect(lines.length).toBeGreaterThan(0); // the request log writes at debug level
    expect(lines.join('').includes('jane.roe')).toBe(false);
    expect(lines.join('').includes('refund')).toBe(false);
  });

  it("classifies prompts of old SDKs (no text_mode) and of text: 'send' the same way", async () => {
    const test = await startWith(builtin);
    const old = prompt('p1', 'where is my package, it has not arrived');
    delete (old.properties as Record<string, unknown>)['text_mode'];
    await test.post('/v1/batch', {
      batch: [old, prompt('p2', 'I forgot my password and cannot log in', { conversation_id: 'c2', text_mode: 'send' })],
    });
    expect(storedEvents(test).map(({ message_id, intent }) => [message_id, intent])).toEqual([
      ['p1', 'support_shipping'],
      ['p2', 'account_management'],
    ]);
    expect(await test.store.queuedPromptCount()).toBe(0);
  });

  it('classifies debug-mode and dev-key prompts at ingest too, keeping their PII-scrubbed text as before', async () => {
    const test = await startWith(builtin);
    await test.post('/v1/batch', { batch: [prompt('p1', CANARY, { debug_mode: true })] });
    await test.post('/v1/batch', { batch: [prompt('p2', CANARY, { conversation_id: 'c2' })] }, { writeKey: DEV_WRITE_KEY });
    const stored = storedEvents(test);
    expect(stored.map(({ intent }) => intent)).toEqual(['support_returns', 'support_returns']);
    expect(stored.map(({ properties }) => JSON.parse(properties).prompt_text)).toEqual([
      'I want a refund for my order, email me at [email]',
      'I want a refund for my order, email me at [email]',
    ]);
    expect(await test.store.queuedPromptCount()).toBe(0);
  });

  it("gives a response stored before its prompt the prompt's intent", async () => {
    const test = await startWith(builtin);
    await test.post('/v1/batch', { batch: [response('r1')] });
    await test.post('/v1/batch', { batch: [prompt('p1', CANARY)] });
    expect(storedEvents(test).map(({ message_id, intent }) => [message_id, intent])).toEqual([
      ['r1', 'support_returns'],
      ['p1', 'support_returns'],
    ]);
  });

  it("counts inline classifications once in the classifier's daily usage and as sampled in the classification metric", async () => {
    const test = await startWith(builtin);
    const batch = { batch: [prompt('p1', CANARY), prompt('p2', 'how much does the pro plan cost', { prompt_number: 2 })] };
    await test.post('/v1/batch', batch);
    await test.post('/v1/batch', batch); // a retry: duplicates add nothing
    const usage = test.store.db.prepare('SELECT day, classifier, prompts, errors, not_sampled FROM classification_usage').all();
    expect(usage).toEqual([{ day: '2026-03-10', classifier: 'builtin', prompts: 2, errors: 0, not_sampled: 0 }]);
    const metric = await test.get('/v1/metrics/classification?from=2026-03-10&to=2026-03-10');
    expect(metric.body).toMatchObject({ prompts: 2, sampled: 2, not_sampled: 0, pending: 0, no_text: 0, sampling_rate: 1 });
  });

  it('marks a prompt classification_error and still stores the batch when the classifier throws', async () => {
    const failing: IntentClassifier = {
      name: 'builtin',
      classify: () => Promise.reject(new Error('model not loaded')),
    };
    const { logger, lines } = capturedLogger();
    const test = await startWith(failing, logger);
    const answer = await test.post('/v1/batch', { batch: [prompt('p1', CANARY), response('r1')] });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: [] });
    expect(storedEvents(test).map(({ message_id, intent, intent_sampled }) => [message_id, intent, intent_sampled])).toEqual([
      ['p1', 'classification_error', 1],
      ['r1', 'classification_error', null],
    ]);
    expect(await test.store.queuedPromptCount()).toBe(0);
    const usage = test.store.db.prepare('SELECT prompts, errors FROM classification_usage').all();
    expect(usage).toEqual([{ prompts: 1, errors: 1 }]);
    const warning = lines.map((line) => JSON.parse(line) as { msg: string; messageId?: string }).find((entry) => entry.msg.includes('classification at ingest failed'));
    expect(warning?.messageId).toBe('p1');
    expect(lines.join('').includes('jane.roe')).toBe(false);
  });

  it('queues the prompt text for the background worker when no classifier runs at ingest (LLM classifier)', async () => {
    app = await startTestApp({ now: () => RECEIVED_AT });
    await app.post('/v1/batch', { batch: [prompt('p1', CANARY)] });
    expect(storedEvents(app)[0]).toMatchObject({ intent: null, intent_sampled: null });
    expect(await app.store.queuedPromptCount()).toBe(1);
  });
});
