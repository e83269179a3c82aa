import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_WRITE_KEY, startTestApp, type TestApp } from '../../test/support/test-app.js';
import { selectEvents } from '../../test/support/read-events.js';
import { messageIdFromStored } from '../store/sqlite/message-ids.js';

const RECEIVED_AT = Date.parse('2026-03-10T12:00:00.000Z');

function prompt(messageId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'track',
    event: 'ai_user_prompt_created',
    messageId,
    anonymousId: 'anon-1',
    timestamp: '2026-03-10T11:59:00.000Z',
    context: { sessionId: 'sess-1' },
    properties: { conversation_id: 'conv-1', prompt_number: 1, input_method: 'text' },
    ...overrides,
  };
}

function storedIds(app: TestApp): string[] {
  return (app.store.db.prepare('SELECT message_id FROM events ORDER BY id').all() as { message_id: string }[]).map(
    (row) => row.message_id,
  );
}

describe('POST /v1/batch', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ now: () => RECEIVED_AT });
  });
  afterEach(async () => {
    await app.close();
  });

  it('stores a valid batch and reports every message accepted', async () => {
    const response = await app.post('/v1/batch', { batch: [prompt('m1'), prompt('m2')], sentAt: '2026-03-10T11:59:30.000Z' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(storedIds(app)).toEqual(['m1', 'm2']);
  });

  it('fills the typed columns metrics need', async () => {
    await app.post('/v1/batch', {
      batch: [
        {
          type: 'track',
          event: 'ai_llm_response_received',
          messageId: 'r1',
          userId: 'user-9',
          anonymousId: 'anon-9',
          timestamp: '2026-03-10T11:59:00.000Z',
          context: { sessionId: 'sess-9' },
          properties: {
            conversation_id: 'conv-9',
            prompt_number: 2,
            response_status: 'timeout',
            latency_ms: 1234,
            token_count: { prompt_tokens: 10, completion_tokens: 20 },
            cost: 0.0042,
            model_used: 'gpt-4o-mini',
            error_type: 'upstream_timeout',
          },
        },
        {
          type: 'track',
          event: 'ai_user_action',
          messageId: 'a1',
          userId: 'user-9',
          properties: {
            conversation_id: 'conv-9',
            action_type: 'feedback_given',
            action_details: { feedback_type: 'thumbs', feedback_value: 'up' },
          },
        },
      ],
    });
    const response = app.store.db.prepare("SELECT * FROM events WHERE message_id = 'r1'").get() as Record<string, unknown>;
    expect(response).toMatchObject({
      user_key: 'user-9',
      anonymous_id: 'anon-9',
      session_id: 'sess-9',
      conversation_id: 'conv-9',
      prompt_number: 2,
      status: 'timeout',
      latency_ms: 1234,
      prompt_tokens: 10,
      completion_tokens: 20,
      total_tokens: 30,
      cost: 0.0042,
      model: 'gpt-4o-mini',
      error_type: 'upstream_timeout',
      debug: 0,
    });
    const action = app.store.db.prepare("SELECT * FROM events WHERE message_id = 'a1'").get() as Record<string, unknown>;
    expect(action).toMatchObject({ action_type: 'feedback_given', feedback_type: 'thumbs', feedback_value: '"up"', thumbs_up: 1 });
  });

  it('stores the valid messages of a batch and reports the invalid ones by index, id and path', async () => {
    const response = await app.post('/v1/batch', {
      batch: [
        prompt('ok-1'),
        prompt('bad-1', { properties: { prompt_number: 1 } }),
        { type: 'track', event: 'anything', messageId: 'bad-2' },
        prompt('bad-3', { properties: { conversation_id: 'c', input_method: 'telepathy' } }),
        'not an object',
        prompt('ok-2'),
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.accepted).toBe(2);
    expect(response.body.rejected).toEqual([
      { index: 1, messageId: 'bad-1', errors: [{ path: 'properties.conversation_id', message: expect.any(String) }] },
      { index: 2, messageId: 'bad-2', errors: [{ path: 'userId', message: 'userId or anonymousId is required' }] },
      { index: 3, messageId: 'bad-3', errors: [{ path: 'properties.input_method', message: expect.any(String) }] },
      { index: 4, messageId: null, errors: [{ path: '(message)', message: expect.any(String) }] },
    ]);
    expect(storedIds(app)).toEqual(['ok-1', 'ok-2']);
  });

  it('rejects a message over 32 KB inside a batch and keeps the rest', async () => {
    const big = prompt('big', { properties: { conversation_id: 'c', padding: 'x'.repeat(33 * 1024) } });
    const response = await app.post('/v1/batch', { batch: [prompt('small'), big] });
    expect(response.status).toBe(200);
    expect(response.body.rejected).toEqual([
      { index: 1, messageId: 'big', errors: [{ path: '(message)', message: expect.stringContaining('32768-byte limit') }] },
    ]);
    expect(storedIds(app)).toEqual(['small']);
  });

  it('stores each message once when the same batch is sent twice', async () => {
    const batch = { batch: [prompt('m1'), prompt('m2'), prompt('m3')] };
    const first = await app.post('/v1/batch', batch);
    const second = await app.post('/v1/batch', batch);
    expect(first.body).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    expect(second.body).toEqual({ accepted: 3, duplicates: 3, rejected: [] });
    expect(storedIds(app)).toEqual(['m1', 'm2', 'm3']);
  });

  it('treats the same messageId from another write key as a different message', async () => {
    await app.post('/v1/batch', { batch: [prompt('m1')] });
    await app.post('/v1/batch', { batch: [prompt('m1')] }, { writeKey: DEV_WRITE_KEY });
    expect(storedIds(app)).toEqual(['m1', 'm1']);
  });

  it('corrects client clock skew from sentAt as Segment does', async () => {
    // The client clock is 1 hour fast: it stamped 13:00:00 and sent at 13:00:30;
    // we received at 12:00:00, so the event happened at 11:59:30.
    await app.post('/v1/batch', {
      batch: [prompt('m1', { timestamp: '2026-03-10T13:00:00.000Z' })],
      sentAt: '2026-03-10T13:00:30.000Z',
    });
    const row = app.store.db
      .prepare('SELECT ts, ts + original_ts_offset AS original_ts, ts + sent_at_offset AS sent_at, ts + received_at_offset AS received_at FROM events')
      .get();
    expect(row).toEqual({
      ts: Date.parse('2026-03-10T11:59:30.000Z'),
      original_ts: Date.parse('2026-03-10T13:00:00.000Z'),
      sent_at: Date.parse('2026-03-10T13:00:30.000Z'),
      received_at: RECEIVED_AT,
    });
  });

  it('keeps unknown fields instead of rejecting them', async () => {
    await app.post('/v1/batch', {
      batch: [prompt('m1', { customTopLevel: { a: 1 }, properties: { conversation_id: 'c', plan_tier: 'gold' } })],
    });
    const [row] = selectEvents(app.store.db);
    expect(JSON.parse(row!.properties)).toMatchObject({ conversation_id: 'c', plan_tier: 'gold' });
    expect(JSON.parse(row!.extra!)).toEqual({ customTopLevel: { a: 1 } });
  });

  it('counts earlier anonymous events for the user once identify links them', async () => {
    await app.post('/v1/batch', { batch: [prompt('m1', { anonymousId: 'anon-7' })] });
    await app.post('/v1/identify', { anonymousId: 'anon-7', userId: 'user-7', traits: { plan: 'pro' } });
    await app.post('/v1/batch', { batch: [prompt('m2', { anonymousId: 'anon-7' })] });
    const rows = (app.store.db.prepare('SELECT message_id, user_key FROM events ORDER BY id').all() as { message_id: string | Buffer; user_key: string }[])
      .map((row) => ({ ...row, message_id: messageIdFromStored(row.message_id) }));
    expect(rows).toEqual([
      { message_id: 'm1', user_key: 'user-7' },
      // The id the collector gave the identify sent without one: a UUID.
      { message_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/), user_key: 'user-7' },
      { message_id: 'm2', user_key: 'user-7' },
    ]);
    const user = app.store.db.prepare("SELECT traits FROM users WHERE user_key = 'user-7'").get() as { traits: string };
    expect(JSON.parse(user.traits)).toEqual({ plan: 'pro' });
  });

  it('never stores prompt or response text from a production write key', async () => {
    await app.post('/v1/batch', {
      batch: [
        prompt('m1', { properties: { conversation_id: 'c', prompt_text: 'my email is jane.roe@example.com' } }),
        {
          type: 'track',
          event: 'ai_llm_response_received',
          messageId: 'm2',
          anonymousId: 'a',
          properties: { conversation_id: 'c', response_text: 'Sure, Jane', error_message: 'boom for jane' },
        },
      ],
    });
    const rows = selectEvents(app.store.db);
    expect(JSON.parse(rows[0]!.properties)).toEqual({ conversation_id: 'c', prompt_length: 32 });
    expect(JSON.parse(rows[1]!.properties)).toEqual({ conversation_id: 'c', response_length: 10 });
  });

  it('keeps debug-mode text with personal data scrubbed', async () => {
    await app.post('/v1/batch', {
      batch: [
        prompt('m1', {
          properties: { conversation_id: 'c', debug_mode: true, prompt_text: 'reach me at jane.roe@example.com please' },
        }),
      ],
    });
    const [row] = selectEvents(app.store.db);
    expect(row!.debug).toBe(1);
    const properties = JSON.parse(row!.properties) as { prompt_text: string };
    expect(properties.prompt_text).not.toContain('jane.roe@example.com');
    expect(properties.prompt_text).toContain('reach me at');
  });
});

describe('whole-request errors', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const response = await app.post('/v1/batch', null, { rawBody: '{"batch": [' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'invalid_json', message: 'request body is not valid JSON' } });
  });

  it('answers 415 for a content type other than JSON', async () => {
    const response = await app.post('/v1/batch', null, { contentType: 'application/xml', rawBody: '<batch/>' });
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('unsupported_media_type');
    expect(response.body.error.message).toContain('application/xml');
  });

  it('answers 400 invalid_batch when there is no batch array', async () => {
    for (const body of [{}, { batch: 'nope' }, [], null, 42]) {
      const response = await app.post('/v1/batch', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_batch');
    }
  });

  it('answers 401 without a write key and with an unknown one', async () => {
    const missing = await app.post('/v1/batch', { batch: [prompt('m1')] }, { auth: false });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('missing_write_key');
    const unknown = await app.post('/v1/batch', { batch: [prompt('m1')] }, { writeKey: 'not_a_real_key' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_write_key');
    expect(storedIds(app)).toEqual([]);
  });

  it('accepts the write key in the body as a text/plain beacon', async () => {
    const response = await app.post(
      '/v1/batch',
      { batch: [prompt('m1')], writeKey: 'test_write_key' },
      { auth: false, contentType: 'text/plain;charset=UTF-8' },
    );
    expect(response.status).toBe(200);
    expect(storedIds(app)).toEqual(['m1']);
  });

  it('accepts a JSON body typed application/x-www-form-urlencoded, as RudderStack\'s Node SDK sends it', async () => {
    const response = await app.post('/v1/batch', { batch: [prompt('m1')] }, { contentType: 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
    expect(storedIds(app)).toEqual(['m1']);
  });

  it('answers 400 invalid_json for a real form body', async () => {
    const response = await app.post('/v1/batch', null, { contentType: 'application/x-www-form-urlencoded', rawBody: 'event=Signed+Up&userId=u1' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_json');
  });

  it('answers 413 with a JSON error for a request over 500 KB', async () => {
    const batch = Array.from({ length: 40 }, (_, index) =>
      prompt(`m${index}`, { properties: { conversation_id: 'c', padding: 'x'.repeat(14 * 1024) } }),
    );
    const response = await app.post('/v1/batch', { batch });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
    expect(storedIds(app)).toEqual([]);
  });

  it('answers 404 with a JSON error for an unknown route', async () => {
    const response = await app.post('/v1/nothing-here', {});
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });
});

describe('single-message routes', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('stores track, identify, page and alias calls with the type the route implies', async () => {
    const track = await app.post('/v1/track', { event: 'Signed Up', userId: 'u1', messageId: 't1' });
    const identify = await app.post('/v1/identify', { userId: 'u1', traits: { plan: 'enterprise' }, messageId: 'i1' });
    const page = await app.post('/v1/page', { anonymousId: 'a1', name: 'Pricing', messageId: 'p1' });
    const alias = await app.post('/v1/alias', { previousId: 'a1', userId: 'u1', messageId: 'al1' });
    for (const response of [track, identify, page, alias]) expect(response.status).toBe(200);
    const rows = app.store.db.prepare('SELECT message_id, type, event, user_key FROM events ORDER BY id').all();
    expect(rows).toEqual([
      { message_id: 't1', type: 'track', event: 'Signed Up', user_key: 'u1' },
      { message_id: 'i1', type: 'identify', event: null, user_key: 'u1' },
      { message_id: 'p1', type: 'page', event: null, user_key: 'u1' },
      { message_id: 'al1', type: 'alias', event: null, user_key: 'u1' },
    ]);
  });

  it('answers 400 naming the field for an invalid single message', async () => {
    const response = await app.post('/v1/track', { userId: 'u1' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'invalid_message',
      details: [{ path: 'event', message: 'is required for track' }],
    });
  });

  it('answers 413 for a single message over 32 KB', async () => {
    const response = await app.post('/v1/track', { event: 'x', userId: 'u', properties: { padding: 'x'.repeat(33 * 1024) } });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('message_too_large');
  });
});
