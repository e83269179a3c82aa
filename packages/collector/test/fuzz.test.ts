import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startClassificationWorker } from '../src/classification/classification-worker.js';
import type { IntentClassifier } from '../src/intent/classifier.js';
import { READ_KEY, WRITE_KEY, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Property-based fuzzing of every ingest route and every metric route with
 * generated and mutated inputs. Whatever arrives: never a 5xx, never slower
 * than 5 s, the valid messages of a mutated batch stored intact, no
 * prototype pollution, bounded memory, and afterwards the collector still
 * ingests, classifies and answers every metric.
 */

const INGEST_ROUTES = ['/v1/batch', '/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias'];
const METRICS = [
  'active-users', 'sessions', 'conversations', 'retention', 'intents', 'classification', 'latency', 'cost', 'errors',
  'satisfaction', 'peak-hours', 'intent-flows', 'report', 'active-conversations', 'sessions/s-1', 'sessions/%00', 'sessions/%E0%A4%A',
];
const METRIC_PARAMETERS = [
  'from', 'to', 'tz', 'include_debug', 'format', 'model', 'intent', 'conversation_id', 'group_by', 'limit', 'minutes',
  'segment_trait', 'key', 'cohort', 'days', '__proto__', 'constructor', 'unknown',
];
const CONTENT_TYPES = ['application/json', 'text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data', ''];
const REQUEST_BUDGET_MS = 5_000;
/** Fixed seed: a failure reproduces; the counts make thousands of requests in all. */
const SEED = 20261201;

const AI_EVENTS = ['ai_user_prompt_created', 'ai_llm_response_received', 'ai_user_action'] as const;

/** A message valid by the protocol, with a unique messageId so it can be found afterwards. */
const validMessage = fc
  .record({
    kind: fc.constantFrom(...AI_EVENTS, 'clicked', 'identify', 'page'),
    user: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    conversation: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    promptNumber: fc.integer({ min: 1, max: 50 }),
    latency: fc.integer({ min: 0, max: 86_400_000 }),
    tokens: fc.integer({ min: 0, max: 1_000_000_000 }),
    minutesAgo: fc.integer({ min: 0, max: 60 * 24 * 60 }),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
  })
  .map(({ kind, user, conversation, promptNumber, latency, tokens, minutesAgo, extra }) => {
    const timestamp = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const common = { userId: user, timestamp };
    if (kind === 'identify') return { type: 'identify', ...common, traits: { plan: 'pro', ...extra } };
    if (kind === 'page') return { type: 'page', ...common, name: 'Home', properties: extra };
    const properties: Record<string, unknown> = { ...extra, conversation_id: conversation, prompt_number: promptNumber };
    if (kind === 'ai_llm_response_received') Object.assign(properties, { latency_ms: latency, token_count: { prompt_tokens: tokens }, model_used: 'm' });
    if (kind === 'ai_user_action') Object.assign(properties, { action_type: 'feedback_given', action_details: { feedback_type: 'thumbs', feedback_value: 'up' } });
    return { type: 'track', event: kind, ...common, properties };
  });

/** Things that have broken collectors: depth, huge and odd numbers, prototype keys, wrong types. */
const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.anything({ withNullPrototype: false, withBigInt: false, withDate: false, withMap: false, withSet: false, withTypedArray: false }).map((value) => {
    try {
      return JSON.parse(JSON.stringify(value ?? null)) as unknown;
    } catch {
      return null;
    }
  }),
  // Lone surrogates and control characters, in values and in keys.
  fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 40 }), { maxKeys: 4 }).map(
    (properties) => ({ type: 'track', event: 'ai_user_prompt_created', userId: 'u', properties: { ...properties, conversation_id: 'c' } }),
  ),
  fc.integer({ min: 30, max: 3000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
  fc.integer({ min: 30, max: 1500 }).map((depth) => JSON.parse('{"a":'.repeat(depth) + '0' + '}'.repeat(depth)) as unknown),
  fc.constantFrom(
    JSON.parse('{"__proto__":{"polluted":1},"type":"track","event":"x","userId":"u"}') as unknown,
    JSON.parse('{"constructor":{"prototype":{"polluted":1}},"type":"identify","userId":"u"}') as unknown,
    { type: 'track', event: 'ai_llm_response_received', userId: 'u', properties: { conversation_id: 'c', token_count: { prompt_tokens: 9007199254740991 } } },
    { type: 'track', event: 'x', userId: 'u', timestamp: '+275760-09-13T00:00:00.000Z', sentAt: '1970-01-01T00:00:00.000Z' },
    { type: 'identify', userId: 'u', traits: { plan: 'x'.repeat(40_000) } },
    { type: 'track', event: 'x', userId: '', messageId: '' },
    0,
    null,
    'message',
  ),
);

/** Mutations of a valid JSON text: cut, flip a byte, duplicate a slice. */
const mutatedText = (text: string) =>
  fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((at) => text.slice(0, at)),
    fc.tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.integer({ min: 0, max: 255 })).map(
      ([at, code]) => text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1),
    ),
    fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: text.length })).map(([a, b]) => text + text.slice(Math.min(a, b), Math.max(a, b))),
  );

interface Sent {
  status: number;
  ms: number;
  body: unknown;
}

const keywordClassifier: IntentClassifier = {
  name: 'keyword',
  async classify(text: string) {
    return { intent: text.includes('refund') ? 'support_returns' : 'other' };
  },
};

describe('fuzzing every route', () => {
  let app: TestApp;
  let rssBefore = 0;
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    // The collector's own threads are its baseline, not growth: concurrent metric reads start every reader thread first.
    await Promise.all(Array.from({ length: 8 }, () => app.get('/v1/metrics/active-users?from=2026-01-01&to=2026-01-07')));
    rssBefore = process.memoryUsage().rss;
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    problems.length = 0;
  });

  async function send(path: string, init: { method: 'GET' | 'POST'; body?: string | Buffer; headers?: Record<string, string> }): Promise<Sent> {
    const started = performance.now();
    const response = await fetch(app.url + path, init);
    const text = await response.text();
    const ms = performance.now() - started;
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = text.slice(0, 200);
    }
    if (response.status >= 500) problems.push(`${init.method} ${path.slice(0, 120)} → ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
    if (ms > REQUEST_BUDGET_MS) problems.push(`${init.method} ${path.slice(0, 120)} took ${Math.round(ms)} ms`);
    return { status: response.status, ms, body };
  }

  function ingestHeaders(contentType: string, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`, ...extra };
    if (contentType !== '') headers['content-type'] = contentType;
    return headers;
  }

  it('stores the valid messages of mutated batches intact and rejects the rest by index, never with a 5xx', async () => {
    let batchNumber = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(validMessage, { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat({ max: 8 }), hostileValue), { maxLength: 4 }),
        async (valid, hostile) => {
          batchNumber += 1;
          const tagged = valid.map((message, index) => ({ ...message, messageId: `fuzz-${batchNumber}-${index}` }));
          const batch: unknown[] = [...tagged];
          for (const [at, value] of hostile) batch.splice(Math.min(at, batch.length), 0, value);
          const sent = await send('/v1/batch', {
            method: 'POST',
            headers: ingestHeaders('application/json'),
            body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
          });
          expect(sent.status).toBe(200);
          const rows = app.store.db
            .prepare(`SELECT message_id AS messageId, type, event, user_id AS userId FROM events WHERE message_id LIKE ? ORDER BY id`)
            .all(`fuzz-${batchNumber}-%`);
          expect(rows).toEqual(
            tagged.map((message) => ({
              messageId: message.messageId,
              type: message.type,
              event: message.type === 'track' ? (message as { event: string }).event : null,
              userId: message.userId,
            })),
          );
        },
      ),
      { numRuns: 400, seed: SEED },
    );
    expect(problems).toEqual([]);
  }, 240_000);

  it('answers every ingest route with a 2xx or 4xx whatever the body, encoding and content type', async () => {
    const validText = JSON.stringify({ batch: [{ type: 'track', event: 'clicked', userId: 'u' }] });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...INGEST_ROUTES),
        fc.oneof(
          hostileValue.map((value) => JSON.stringify(value) ?? 'null'),
          hostileValue.map((value) => JSON.stringify({ batch: [value], context: value }) ?? 'null'),
          mutatedText(validText),
          fc.string({ maxLength: 200 }),
        ),
        fc.constantFrom(...CONTENT_TYPES),
        fc.constantFrom('identity', 'gzip', 'gzip-corrupt', 'deflate-claimed', 'br-claimed'),
        async (route, text, contentType, encoding) => {
          let body: string | Buffer = text;
          const extra: Record<string, string> = {};
          if (encoding === 'gzip') {
            body = gzipSync(text);
            extra['content-encoding'] = 'gzip';
          } else if (encoding === 'gzip-corrupt') {
            body = gzipSync(text).subarray(0, 12);
            extra['content-encoding'] = 'gzip';
          } else if (encoding !== 'identity') {
            extra['content-encoding'] = encoding.replace('-claimed', '');
          }
          const sent = await send(route, { method: 'POST', headers: ingestHeaders(contentType, extra), body });
          expect(sent.status).toBeLessThan(500);
        },
      ),
      { numRuns: 1500, seed: SEED },
    );
    expect(problems).toEqual([]);
  }, 300_000);

  it('answers every metric route with a 2xx or 4xx whatever the query string', async () => {
    const parameterValue = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('2026-03-08', '2026-02-30', '0000-01-01', '9999-12-31', '-1', '1e309', 'NaN', 'true', 'csv', 'America/New_York', 'Etc/GMT+14', 'day', 'model', 'intent', 'week'),
      fc.integer().map(String),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METRICS),
        fc.array(fc.tuple(fc.constantFrom(...METRIC_PARAMETERS), parameterValue), { maxLength: 5 }),
        async (metric, parameters) => {
          const query = parameters.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
          const sent = await send(`/v1/metrics/${metric}?${query}`, { method: 'GET', headers: { authorization: `Bearer ${READ_KEY}` } });
          expect(sent.status).toBeLessThan(500);
        },
      ),
      { numRuns: 1500, seed: SEED },
    );
    expect(problems).toEqual([]);
  }, 300_000);

  it('leaves Object.prototype untouched and memory bounded', () => {
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const grownMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    expect(grownMb).toBeLessThan(400);
  });

  it('still ingests, classifies and answers every metric afterwards', async () => {
    const conversation = `after-${Date.now()}`;
    const ingest = await send('/v1/batch', {
      method: 'POST',
      headers: ingestHeaders('application/json'),
      body: JSON.stringify({
        batch: [
          { type: 'track', event: 'ai_user_prompt_created', messageId: 'after-1', userId: 'after', properties: { conversation_id: conversation, prompt_number: 1, prompt_text: 'I want a refund' } },
          { type: 'track', event: 'ai_llm_response_received', messageId: 'after-2', userId: 'after', properties: { conversation_id: conversation, prompt_number: 1, latency_ms: 900 } },
        ],
      }),
    });
    expect(ingest.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const worker = startClassificationWorker({ queue: app.store, classifier: keywordClassifier, isSampled: () => true, logger: pino({ level: 'silent' }) });
    await worker.drain();
    await worker.stop();
    expect(await app.store.queuedPromptCount()).toBe(0);
    expect(app.store.db.prepare("SELECT intent FROM events WHERE message_id = 'after-1'").get()).toEqual({ intent: 'support_returns' });
    for (const metric of METRICS.filter((name) => !name.startsWith('sessions/'))) {
      const sent = await send(`/v1/metrics/${metric}`, { method: 'GET', headers: { authorization: `Bearer ${READ_KEY}` } });
      expect({ metric, status: sent.status }).toEqual({ metric, status: 200 });
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
