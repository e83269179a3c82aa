import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportedEvent, ExportRange } from '../store/event-export.js';
import { READ_KEY, WRITE_KEY, startTestApp, type TestApp } from '../../test/support/test-app.js';
import { storedEventColumns, storedEventNameFor } from '../../test/support/stored-event-columns.js';

const ADMIN_KEY = 'test_admin_key_0123456789';
const MARCH_10 = Date.parse('2026-03-10T12:00:00.000Z');
const MARCH_11 = Date.parse('2026-03-11T12:00:00.000Z');

function track(messageId: string, userId: string): Record<string, unknown> {
  return {
    type: 'track',
    event: 'ai_llm_response_received',
    messageId,
    userId,
    anonymousId: `anon-${userId}`,
    timestamp: '2026-03-10T11:59:00.000Z',
    context: { sessionId: 's-1', page: { path: '/chat' } },
    properties: { conversation_id: 'c-1', prompt_number: 1, latency_ms: 900, model_used: 'gpt-x', plan_note: 'kept as stored' },
  };
}

async function exportText(app: TestApp, query: string, authorization = `Bearer ${ADMIN_KEY}`) {
  const response = await fetch(`${app.url}/v1/export${query}`, { headers: { authorization } });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

describe('GET /v1/export', () => {
  let app: TestApp;
  let now = MARCH_10;
  beforeEach(async () => {
    now = MARCH_10;
    app = await startTestApp({ now: () => now, appOptions: { adminKey: ADMIN_KEY } });
  });
  afterEach(async () => {
    await app.close();
  });

  async function postMany(count: number, prefix: string): Promise<void> {
    for (let start = 0; start < count; start += 250) {
      const batch = Array.from({ length: Math.min(250, count - start) }, (_, index) => track(`${prefix}-${start + index}`, `u-${(start + index) % 7}`));
      const response = await app.post('/v1/batch', { batch });
      expect(response.status).toBe(200);
    }
  }

  it('streams every event received in the range as one JSON object per line', async () => {
    await postMany(3000, 'd10');
    now = MARCH_11;
    await postMany(500, 'd11');

    const march10 = await exportText(app, '?from=2026-03-10&to=2026-03-10');
    expect(march10.status).toBe(200);
    expect(march10.contentType).toBe('application/x-ndjson; charset=utf-8');
    const lines = march10.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3000);
    const events = lines.map((line) => JSON.parse(line) as ExportedEvent);
    expect(new Set(events.map((event) => event.message_id)).size).toBe(3000);
    expect(events[0]).toMatchObject({
      message_id: 'd10-0',
      type: 'track',
      event: 'ai_llm_response_received',
      user_id: 'u-0',
      anonymous_id: 'anon-u-0',
      user_key: 'u-0',
      session_id: 's-1',
      conversation_id: 'c-1',
      prompt_number: 1,
      timestamp: '2026-03-10T11:59:00.000Z',
      received_at: '2026-03-10T12:00:00.000Z',
      latency_ms: 900,
      model: 'gpt-x',
      debug: false,
      bot: false,
      internal: false,
      context: { sessionId: 's-1', page: { path: '/chat' } },
    });
    expect(events[0]?.properties).toMatchObject({ plan_note: 'kept as stored' });
    expect(Object.keys(events[0]!)).not.toContain('write_key');

    const both = await exportText(app, '?from=2026-03-10&to=2026-03-11');
    expect(both.text.split('\n').filter((line) => line !== '')).toHaveLength(3500);
    const byInstant = await exportText(app, '?from=2026-03-11T00:00:00Z&to=2026-03-11T12:00:00.001Z');
    expect(byInstant.text.split('\n').filter((line) => line !== '')).toHaveLength(500);
    const instantExcluded = await exportText(app, '?from=2026-03-11T00:00:00Z&to=2026-03-11T12:00:00Z');
    expect(instantExcluded.text).toBe('');
  });

  it('never exports prompt texts: they are not stored with events', async () => {
    await app.post('/v1/batch', {
      batch: [{ ...track('p1', 'u-1'), event: 'ai_user_prompt_created', properties: { conversation_id: 'c-1', prompt_number: 1, prompt_text: 'my card number is 4111' } }],
    });
    const exported = await exportText(app, '?from=2026-03-10&to=2026-03-10');
    expect(exported.text).not.toContain('4111');
    expect(exported.text.split('\n').filter((line) => line !== '')).toHaveLength(1);
  });

  it("exports an SDK health report's properties as sent, though the store keeps them as an array of values", async () => {
    const report = { queued: 3, sent: 2, retried: 0, dropped_queue_full: 1, dropped_rejected: 0, storage: 'indexeddb', oldest_waiting_ms: 1200 };
    const response = await app.post('/v1/batch', { batch: [{ ...track('h1', 'u-1'), event: 'chatmeter_sdk_health', properties: report }] });
    expect(response.status).toBe(200);
    expect(app.store.db.prepare("SELECT properties FROM events WHERE message_id = 'h1'").pluck().get()).toBe('[3,2,0,1,0,"indexeddb",1200]');
    const exported = await exportText(app, '?from=2026-03-10&to=2026-03-10');
    expect((JSON.parse(exported.text.trim()) as ExportedEvent).properties).toEqual(report);
  });

  it("exports feedback's action_details as sent, though the store keeps them in the feedback columns only (and no properties text)", async () => {
    const properties = { conversation_id: 'c-1', prompt_number: 1, action_type: 'feedback', action_details: { feedback_type: 'thumbs', feedback_value: 'up' } };
    const response = await app.post('/v1/batch', { batch: [{ ...track('f1', 'u-1'), event: 'ai_user_action', properties }] });
    expect(response.status).toBe(200);
    expect(app.store.db.prepare("SELECT properties FROM events WHERE message_id = 'f1'").pluck().get()).toBe('');
    const exported = await exportText(app, '?from=2026-03-10&to=2026-03-10');
    expect((JSON.parse(exported.text.trim()) as ExportedEvent).properties).toEqual(properties);
  });

  it('answers 400 naming a missing or malformed bound', async () => {
    expect(JSON.parse((await exportText(app, '?to=2026-03-10')).text).error.message).toBe(
      '"from" is required: a UTC day like 2026-03-01 or an ISO timestamp with zone like 2026-03-01T12:00:00Z',
    );
    const badTo = await exportText(app, '?from=2026-03-10&to=2026-02-30');
    expect(badTo.status).toBe(400);
    expect(JSON.parse(badTo.text)).toEqual({
      error: {
        code: 'invalid_parameter',
        message: '"to" must be a UTC day like 2026-03-01 or an ISO timestamp with zone like 2026-03-01T12:00:00Z, got "2026-02-30"',
      },
    });
    expect(JSON.parse((await exportText(app, '?from=2026-03-10T10:00:00&to=2026-03-11')).text).error.message).toContain(
      '"from" must be a UTC day',
    );
    const reversed = await exportText(app, '?from=2026-03-11&to=2026-03-10');
    expect(reversed.status).toBe(400);
    expect(JSON.parse(reversed.text).error.message).toBe('"to" must be after "from", got from=2026-03-11 to=2026-03-10');
  });

  it('answers 400 for an instant on a day the calendar does not have, as it does for such a day', async () => {
    const february30 = await exportText(app, '?from=2026-02-30T12:00:00Z&to=2026-03-11');
    expect(february30.status).toBe(400);
    expect(JSON.parse(february30.text).error.message).toBe(
      '"from" must be a UTC day like 2026-03-01 or an ISO timestamp with zone like 2026-03-01T12:00:00Z, got "2026-02-30T12:00:00Z"',
    );
    const hour24 = await exportText(app, '?from=2026-03-10&to=2026-03-10T24:00Z');
    expect(hour24.status).toBe(400);
  });

  it('needs the admin key: 401 without it or with a write key, 403 with the read key', async () => {
    const range = '?from=2026-03-10&to=2026-03-10';
    const missing = await exportText(app, range, '');
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.text).error.code).toBe('missing_admin_key');
    const writeKey = await exportText(app, range, `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`);
    expect(writeKey.status).toBe(401);
    expect((await exportText(app, range, `Bearer ${WRITE_KEY}`)).status).toBe(401);
    const readKey = await exportText(app, range, `Bearer ${READ_KEY}`);
    expect(readKey.status).toBe(403);
    expect(JSON.parse(readKey.text).error.code).toBe('admin_key_required');
  });

  it('reads the next page only when the client takes more (50,000 events, a paused reader)', async () => {
    // 50,000 events straight into the table: ingest would take longer than the point of this test.
    // Migration 033's code columns keep a text as it is, which `type` and `status` read back unchanged.
    app.store.db.exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
      INSERT INTO events (write_key, message_id, type_code, ${storedEventColumns(app.store.db)('event')}, user_key, ts, received_at_offset, properties, context)
      SELECT 'k', 'bulk-' || i, 'track', ${storedEventNameFor(app.store.db)("'ai_llm_response_received'")}, 'u-' || (i % 100), ${MARCH_10}, 0,
             '{"padding":"${'x'.repeat(200)}"}', '{}' FROM n`);
    const original = app.store.exportEvents.bind(app.store);
    let pagesRead = 0;
    app.store.exportEvents = (range: ExportRange) =>
      (async function* () {
        for await (const page of original(range)) {
          pagesRead += 1;
          yield page;
        }
      })();

    const response = await new Promise<IncomingMessage>((resolve) => {
      httpRequest(`${app.url}/v1/export?from=2026-03-10&to=2026-03-10`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } }, resolve).end();
    });
    expect(response.statusCode).toBe(200);
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // 50 pages of ~0.5 MB: with the reader paused only what the socket buffers hold has been read.
    expect(pagesRead).toBeGreaterThan(0);
    expect(pagesRead).toBeLessThan(25);

    let lines = 0;
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      for (const char of chunk) if (char === '\n') lines += 1;
    });
    response.resume();
    await new Promise((resolve) => response.once('end', resolve));
    expect(lines).toBe(50_000);
    expect(pagesRead).toBe(50);
  });
});

describe('GET /v1/export without an admin key', () => {
  it('answers 404 saying how to turn the admin routes on', async () => {
    const app = await startTestApp();
    try {
      const response = await app.get('/v1/export?from=2026-03-10&to=2026-03-10');
      expect(response.status).toBe(404);
      expect(response.body.error).toEqual({
        code: 'admin_routes_off',
        message: 'admin routes are off: start the collector with --admin-key (CHATMETER_ADMIN_KEY)',
      });
    } finally {
      await app.close();
    }
  });
});
