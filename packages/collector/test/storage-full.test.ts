import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { readEvents } from './support/read-events.js';
import { sqliteTestPath } from './support/store-factory.js';
import { startTestApp, type TestApp } from './support/test-app.js';

function prompts(prefix: string, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({
    type: 'track',
    event: 'ai_user_prompt_created',
    messageId: `${prefix}-${index}`,
    anonymousId: `anon-${index}`,
    properties: { conversation_id: `conv-${index}`, prompt_number: 1, padding: 'x'.repeat(2000) },
  }));
}

describe('a full database', () => {
  let app: TestApp;
  beforeEach(async () => {
    // SQLite's size quota (max_page_count) belongs to one connection, so the app writes on its own connection
    // here; writer-thread.test.ts covers a retryable failure on the writer thread (a lock held too long).
    app = await startTestApp({ createStore: (directory) => new SqliteStore({ path: sqliteTestPath(directory), writer: 'inline' }) });
  });
  afterEach(async () => {
    await app.close();
  });

  it('answers ingest with a retryable 503 and Retry-After, never 200, and recovers by itself when space returns', async () => {
    // SQLite's own quota stands in for a full disk: the next page it needs fails with SQLITE_FULL.
    const pages = app.store.db.pragma('page_count', { simple: true }) as number;
    app.store.db.pragma(`max_page_count = ${pages}`);
    const full = await fetch(`${app.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('test_write_key:').toString('base64')}` },
      body: JSON.stringify({ batch: prompts('full', 20) }),
    });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('30');
    expect(await full.json()).toEqual({
      error: {
        code: 'storage_unavailable',
        message: 'database write failed (SQLITE_FULL): the disk or the database size limit is full; retry later',
      },
    });
    expect(readEvents(app.dbPath)).toEqual([]);

    app.store.db.pragma('max_page_count = 1073741823');
    const retried = await app.post('/v1/batch', { batch: prompts('full', 20) });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ accepted: 20, duplicates: 0, rejected: [] });
    expect(readEvents(app.dbPath)).toHaveLength(20);
  });
});
