import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { readEvents } from '../../test/support/read-events.js';
import { DEMO_WRITE_KEY, DEV_WRITE_KEY, READ_KEY, WRITE_KEY, startTestApp, type TestApp } from '../../test/support/test-app.js';

describe('the /demo page', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('embeds the demo-only write key and never a configured write key or the read key', async () => {
    app = await startTestApp();
    const page = await app.get('/demo', { auth: false });
    expect(page.status).toBe(200);
    expect(page.text).toContain('writeKey: "test_demo_write_key"');
    expect(page.text).not.toContain(WRITE_KEY);
    expect(page.text).not.toContain(DEV_WRITE_KEY);
    expect(page.text).not.toContain(READ_KEY);
  });

  it('stores the events sent with the demo key', async () => {
    app = await startTestApp();
    const message = {
      type: 'track',
      event: 'ai_user_prompt_created',
      messageId: 'demo-1',
      anonymousId: 'visitor-1',
      properties: { conversation_id: 'conv-1', prompt_number: 1 },
    };
    const response = await app.post('/v1/batch', { batch: [message] }, { writeKey: DEMO_WRITE_KEY });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(readEvents(app.dbPath).map((row) => row.message_id)).toEqual(['demo-1']);
  });

  it('refuses the demo key as a read key with 401', async () => {
    app = await startTestApp();
    const response = await fetch(`${app.url}/v1/metrics/overview?from=2024-01-01&to=2024-01-31`, {
      headers: { authorization: `Bearer ${DEMO_WRITE_KEY}` },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_read_key');
  });

  it('answers 404 when the app has no demo key (production without --demo)', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const server = createApp({ store, writeKeys: [{ key: WRITE_KEY, dev: false }], readKey: READ_KEY, logger: pino({ level: 'silent' }) })
      .listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect((await fetch(`http://127.0.0.1:${port}/demo`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/demo/demo.js`)).status).toBe(404);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    }
  });
});
