import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { READ_KEY, startTestApp, type TestApp } from '../../test/support/test-app.js';

const ADMIN_KEY = 'test_admin_key_0123456789';

async function erase(app: TestApp, userId: string, authorization: string | null = `Bearer ${ADMIN_KEY}`) {
  const response = await fetch(`${app.url}/v1/users/${encodeURIComponent(userId)}`, {
    method: 'DELETE',
    headers: authorization === null ? {} : { authorization },
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function prompt(messageId: string, who: Record<string, string>, timestamp: string): Record<string, unknown> {
  return { type: 'track', event: 'ai_user_prompt_created', messageId, timestamp, ...who, properties: { conversation_id: `c-${messageId}` } };
}

/** Ada browses anonymously, signs in (identify with traits), then chats both signed in and from her linked anonymous id; Bob chats once. */
async function storeAdaAndBob(app: TestApp): Promise<void> {
  const result = await app.post('/v1/batch', {
    batch: [
      prompt('a-1', { anonymousId: 'anon-ada' }, '2026-03-10T10:00:00.000Z'),
      { type: 'identify', messageId: 'a-2', userId: 'ada', anonymousId: 'anon-ada', traits: { plan: 'pro' }, timestamp: '2026-03-10T10:05:00.000Z' },
      prompt('a-3', { userId: 'ada' }, '2026-03-10T10:10:00.000Z'),
      prompt('a-4', { anonymousId: 'anon-ada' }, '2026-03-10T10:15:00.000Z'),
      prompt('b-1', { userId: 'bob' }, '2026-03-10T10:20:00.000Z'),
    ],
  });
  expect(result.body).toEqual({ accepted: 5, duplicates: 0, rejected: [] });
}

describe('DELETE /v1/users/:userId', () => {
  let app: TestApp;
  afterEach(async () => {
    await app.close();
  });

  it("erases the user's events, identity links and traits, and answers how many", async () => {
    app = await startTestApp({ now: () => Date.parse('2026-03-10T12:00:00.000Z'), appOptions: { adminKey: ADMIN_KEY } });
    await storeAdaAndBob(app);

    const answer = await erase(app, 'ada');

    expect(answer).toEqual({ status: 200, body: { erased: { events: 4, identities: 1, users: 2 } } });
    const db = app.store.db;
    expect(db.prepare('SELECT message_id FROM events ORDER BY message_id').pluck().all()).toEqual(['b-1']);
    expect(db.prepare('SELECT COUNT(*) FROM identities').pluck().get()).toBe(0);
    expect(db.prepare('SELECT user_key FROM users').pluck().all()).toEqual(['bob']);
    const users = await app.get('/v1/metrics/active-users?from=2026-03-10&to=2026-03-10&tz=UTC');
    expect(users.body.series).toEqual([{ date: '2026-03-10', dau: 1, wau: 1, mau: 1, stickiness: 1 }]);
  });

  it('answers 200 with zeros for a user it never stored, and for one already erased', async () => {
    app = await startTestApp({ appOptions: { adminKey: ADMIN_KEY } });
    await storeAdaAndBob(app);
    await erase(app, 'ada');

    expect(await erase(app, 'ada')).toEqual({ status: 200, body: { erased: { events: 0, identities: 0, users: 0 } } });
    expect(await erase(app, 'nobody')).toEqual({ status: 200, body: { erased: { events: 0, identities: 0, users: 0 } } });
    expect(app.store.db.prepare('SELECT message_id FROM events').pluck().all()).toEqual(['b-1']);
  });

  it('needs the admin key: 401 without it or with an unknown one, 403 with the read key, and erases nothing', async () => {
    app = await startTestApp({ appOptions: { adminKey: ADMIN_KEY } });
    await storeAdaAndBob(app);

    expect(await erase(app, 'ada', null)).toMatchObject({ status: 401, body: { error: { code: 'missing_admin_key' } } });
    expect(await erase(app, 'ada', 'Bearer not_the_admin_key_at_all')).toMatchObject({ status: 401, body: { error: { code: 'invalid_admin_key' } } });
    expect(await erase(app, 'ada', `Bearer ${READ_KEY}`)).toMatchObject({ status: 403, body: { error: { code: 'admin_key_required' } } });
    expect(app.store.db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(5);
  });

  it('answers 404 admin_routes_off when no admin key is configured', async () => {
    app = await startTestApp();
    expect(await erase(app, 'ada', `Bearer ${ADMIN_KEY}`)).toMatchObject({ status: 404, body: { error: { code: 'admin_routes_off' } } });
  });

  it('refuses a user id longer than ingest accepts with 400 naming the limit', async () => {
    app = await startTestApp({ appOptions: { adminKey: ADMIN_KEY } });
    const answer = await erase(app, 'x'.repeat(257));
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toMatchObject({ code: 'invalid_parameter', message: 'userId must be at most 256 characters (as ingest accepts), got 257' });
  });

  it("keeps the erased user's id out of the request log", async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    app = await startTestApp({ appOptions: { adminKey: ADMIN_KEY, logger } });
    await storeAdaAndBob(app);

    await erase(app, 'ada-the-erased');

    const requests = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['method'] === 'DELETE');
    expect(requests).toMatchObject([{ path: '/v1/users/:userId', status: 200 }]);
    expect(lines.join('')).not.toContain('ada-the-erased');
  });
});
