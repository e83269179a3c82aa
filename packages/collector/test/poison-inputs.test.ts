import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startClassificationWorker } from '../src/classification/classification-worker.js';
import type { IntentClassifier } from '../src/intent/classifier.js';
import { WRITE_KEY, startTestApp, type TestApp } from './support/test-app.js';
import { storedEventColumns, storedEventNameFor } from './support/stored-event-columns.js';

/**
 * Small inputs that were once answered with 200 and then broke the collector
 * for everyone: each must become a clean 4xx or a per-message rejection, and
 * everything valid around it must still be stored.
 */

const RECEIVED_AT = Date.parse('2026-03-10T12:00:00.000Z');
const RANGE = 'from=2026-03-10&to=2026-03-10';

function track(messageId: string, event: string, properties: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    type: 'track',
    event,
    messageId,
    userId: 'user-1',
    timestamp: '2026-03-10T11:59:00.000Z',
    properties: { conversation_id: 'conv-1', ...properties },
    ...overrides,
  };
}

function deepObject(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

function deepArray(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

function storedIds(app: TestApp): string[] {
  return (app.store.db.prepare('SELECT message_id FROM events ORDER BY id').all() as { message_id: string }[]).map(
    (row) => row.message_id,
  );
}

const keywordClassifier: IntentClassifier = {
  name: 'keyword',
  async classify(text: string) {
    return { intent: text.includes('refund') ? 'support_returns' : 'other' };
  },
};

describe('inputs that must not poison the collector', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ now: () => RECEIVED_AT });
  });
  afterEach(async () => {
    await app.close();
  });

  it('rejects an identify whose traits nest 1,100 levels deep by index and stores the rest of the batch', async () => {
    const rawBody = `{"batch":[
      {"type":"identify","messageId":"deep","userId":"user-1","traits":${deepObject(1100)}},
      {"type":"identify","messageId":"fine","userId":"user-1","traits":{"plan":"pro"}}]}`;
    const response = await app.post('/v1/batch', null, { rawBody });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [{ index: 0, messageId: 'deep', errors: [{ path: '(message)', message: 'nests objects or arrays deeper than 32 levels' }] }],
    });
    expect(storedIds(app)).toEqual(['fine']);
  });

  it('rejects arrays nested 5,000 levels deep in properties instead of overflowing the stack, on /v1/batch and /v1/track', async () => {
    const deep = `{"type":"track","event":"clicked","messageId":"deep","userId":"user-1","properties":{"x":${deepArray(5000)}}}`;
    const batch = await app.post('/v1/batch', null, {
      rawBody: `{"batch":[${deep},{"type":"track","event":"clicked","messageId":"ok","userId":"user-1"}]}`,
    });
    expect(batch.status).toBe(200);
    expect(batch.body.accepted).toBe(1);
    expect(batch.body.rejected).toEqual([
      { index: 0, messageId: 'deep', errors: [{ path: '(message)', message: 'nests objects or arrays deeper than 32 levels' }] },
    ]);
    const single = await app.post('/v1/track', null, { rawBody: deep });
    expect(single.status).toBe(400);
    expect(single.body.error).toEqual({ code: 'message_too_deep', message: 'message nests objects or arrays deeper than 32 levels' });
    expect(storedIds(app)).toEqual(['ok']);
  });

  it('rejects a batch context nested too deep for the messages it would be merged into', async () => {
    const response = await app.post('/v1/batch', null, {
      rawBody: `{"context":${deepObject(40)},"batch":[{"type":"track","event":"clicked","userId":"user-1"}]}`,
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_batch');
    expect(response.body.error.details).toEqual([{ path: 'context', message: 'nests objects or arrays too deeply' }]);
    expect(storedIds(app)).toEqual([]);
  });

  it('keeps classifying and identifying a user whose stored traits SQLite cannot read', async () => {
    // Traits stored before ingest capped the depth: 1,100 levels, beyond SQLite's JSON limit.
    await app.post('/v1/batch', { batch: [{ type: 'identify', messageId: 'id-1', userId: 'user-1', traits: { plan: 'pro' } }] });
    app.store.db.prepare('UPDATE users SET traits = ? WHERE user_key = ?').run(deepObject(1100), 'user-1');
    await app.post('/v1/batch', {
      batch: [
        track('p1', 'ai_user_prompt_created', { prompt_number: 1, prompt_text: 'I want a refund' }),
        track('p2', 'ai_user_prompt_created', { prompt_number: 1, prompt_text: 'hello', conversation_id: 'conv-2' }, { userId: 'user-2' }),
      ],
    });
    const worker = startClassificationWorker({
      queue: app.store,
      classifier: keywordClassifier,
      isSampled: () => true,
      logger: pino({ level: 'silent' }),
    });
    await worker.drain();
    await worker.stop();
    const intents = app.store.db.prepare("SELECT message_id, intent FROM events WHERE type = 'track' ORDER BY id").all();
    expect(intents).toEqual([
      { message_id: 'p1', intent: 'support_returns' },
      { message_id: 'p2', intent: 'other' },
    ]);
    expect(await app.store.queuedPromptCount()).toBe(0);
    const identify = await app.post('/v1/identify', { messageId: 'id-2', userId: 'user-1', traits: { plan: 'team' } });
    expect(identify.status).toBe(200);
    expect(app.store.db.prepare('SELECT traits FROM users WHERE user_key = ?').get('user-1')).toEqual({ traits: '{"plan":"team"}' });
  });

  it('stores a far-future time as the time received, keeps the client value and warns, and the live metric still answers', async () => {
    const response = await app.post('/v1/batch', {
      sentAt: '1970-01-01T00:00:00.000Z',
      batch: [track('future', 'ai_user_prompt_created', { prompt_number: 1 }, { timestamp: '+275760-09-13T00:00:00.000Z' })],
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
      warnings: [{ index: 0, messageId: 'future', path: 'timestamp', message: 'is more than 23 hours in the future; stored as the time received' }],
    });
    expect(app.store.db.prepare('SELECT ts, ts + original_ts_offset AS original_ts FROM events').get()).toEqual({ ts: RECEIVED_AT, original_ts: 8.64e15 });
    const live = await app.get('/v1/metrics/active-conversations');
    expect(live.status).toBe(200);
    expect(live.body.conversations).toHaveLength(1);
  });

  it('stores a time before 2000 as the time received, and keeps a plausible skew-corrected time', async () => {
    const response = await app.post('/v1/batch', {
      batch: [
        track('old', 'clicked', {}, { timestamp: '1999-12-31T23:59:59.000Z' }),
        track('skewed', 'clicked', {}, { timestamp: '2026-03-10T13:00:00.000Z', sentAt: '2026-03-10T13:00:10.000Z' }),
      ],
    });
    expect(response.body.warnings).toEqual([
      { index: 0, messageId: 'old', path: 'timestamp', message: 'is before 2000; stored as the time received' },
    ]);
    expect(app.store.db.prepare('SELECT message_id, ts FROM events ORDER BY id').all()).toEqual([
      { message_id: 'old', ts: RECEIVED_AT },
      { message_id: 'skewed', ts: RECEIVED_AT - 10_000 },
    ]);
  });

  it('rejects token counts, cost and latency beyond their bounds, naming the field', async () => {
    const response = await app.post('/v1/batch', {
      batch: [
        track('tokens', 'ai_llm_response_received', { token_count: { prompt_tokens: 9007199254740991 } }),
        track('cost', 'ai_llm_response_received', { cost: 1e7 }),
        track('latency', 'ai_llm_response_received', { latency_ms: 86_400_001 }),
        track('negative', 'ai_llm_response_received', { latency_ms: -1 }),
        track('fine', 'ai_llm_response_received', { token_count: { prompt_tokens: 1_000_000_000 }, cost: 1e6, latency_ms: 86_400_000 }),
      ],
    });
    expect(response.body.accepted).toBe(1);
    expect(response.body.rejected).toEqual([
      { index: 0, messageId: 'tokens', errors: [{ path: 'properties.token_count.prompt_tokens', message: 'must be ≤ 1000000000' }] },
      { index: 1, messageId: 'cost', errors: [{ path: 'properties.cost', message: 'must be ≤ 1000000 (USD per response)' }] },
      { index: 2, messageId: 'latency', errors: [{ path: 'properties.latency_ms', message: 'must be ≤ 86400000 (one day)' }] },
      { index: 3, messageId: 'negative', errors: [{ path: 'properties.latency_ms', message: 'must be ≥ 0' }] },
    ]);
  });

  it('sums token counts stored before they were bounded without integer overflow', async () => {
    // Migration 033's code columns keep a text as it is, which `type` and `status` read back unchanged.
    const insert = app.store.db.prepare(
      `INSERT INTO events (write_key, message_id, type_code, ${storedEventColumns(app.store.db)('event')}, user_key, conversation_id, ts, received_at_offset, prompt_tokens, model, status_code)
       VALUES (@writeKey, @messageId, 'track', ${storedEventNameFor(app.store.db)("'ai_llm_response_received'")}, 'user-1', 'conv-1', @ts, @receivedAt - @ts, 9007199254740991, 'm', 'success')`,
    );
    for (let index = 0; index < 1100; index += 1) {
      insert.run({ writeKey: WRITE_KEY, messageId: `legacy-${index}`, ts: RECEIVED_AT - 60_000 - index * 1_000, receivedAt: RECEIVED_AT });
    }
    const cost = await app.get(`/v1/metrics/cost?${RANGE}&group_by=model`);
    expect(cost.status).toBe(200);
    expect(cost.body[0].prompt_tokens).toBeGreaterThan(9.9e18);
  });

  it('answers 413 too_many_messages for a batch over 2,500 messages and stores none of it', async () => {
    const response = await app.post('/v1/batch', null, { rawBody: `{"batch":[${Array(2501).fill('0').join(',')}]}` });
    expect(response.status).toBe(413);
    expect(response.body.error).toEqual({
      code: 'too_many_messages',
      message: 'batch holds 2501 messages, over the 2500-message limit; send smaller batches',
    });
  });

  it('details the first 100 rejections and counts the rest', async () => {
    const response = await app.post('/v1/batch', null, {
      rawBody: `{"batch":[${Array(2499).fill('0').join(',')},{"type":"track","event":"clicked","messageId":"ok","userId":"u"}]}`,
    });
    expect(response.status).toBe(200);
    expect(response.body.accepted).toBe(1);
    expect(response.body.rejected).toHaveLength(100);
    expect(response.body.rejected[99].index).toBe(99);
    expect(response.body.rejectedCount).toBe(2499);
    expect(storedIds(app)).toEqual(['ok']);
  });

  it('gives a replayed identify no effect: the anonymous id stays linked to the latest user', async () => {
    const identifyAlice = { type: 'identify', messageId: 'id-1', anonymousId: 'anon-1', userId: 'alice' };
    await app.post('/v1/batch', { batch: [identifyAlice] });
    await app.post('/v1/batch', { batch: [{ type: 'identify', messageId: 'id-2', anonymousId: 'anon-1', userId: 'bob' }] });
    const replay = await app.post('/v1/batch', { batch: [identifyAlice] });
    expect(replay.body).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(app.store.db.prepare('SELECT user_id FROM identities WHERE anonymous_id = ?').get('anon-1')).toEqual({ user_id: 'bob' });
    await app.post('/v1/batch', { batch: [track('later', 'clicked', {}, { userId: undefined, anonymousId: 'anon-1' })] });
    expect(app.store.db.prepare("SELECT user_key FROM events WHERE message_id = 'later'").get()).toEqual({ user_key: 'bob' });
  });

  it('counts prompts sent without text as no_text, and only queued texts as pending', async () => {
    await app.post('/v1/batch', {
      batch: [
        track('redacted', 'ai_user_prompt_created', { prompt_number: 1, prompt_text: '[redacted]', prompt_length: 14 }),
        track('bare', 'ai_user_prompt_created', { prompt_number: 2 }),
        track('queued', 'ai_user_prompt_created', { prompt_number: 3, prompt_text: 'where is my parcel?' }),
      ],
    });
    const classification = await app.get(`/v1/metrics/classification?${RANGE}`);
    expect(classification.body).toMatchObject({
      prompts: 3, sampled: 0, not_sampled: 0, pending: 1, no_text: 2, sampling_rate: 0, classifier_cost: 0, classifier_tokens: 0,
    });
    expect(classification.body.budget).toMatchObject({ daily_limit: null, spent_today: 0, exhausted: false });
  });
});
