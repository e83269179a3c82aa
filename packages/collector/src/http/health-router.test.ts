import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';

describe('liveness and readiness', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    app.store.db.pragma('query_only = OFF');
    await app.close();
  });

  it('/readyz answers 200 naming each passing check', async () => {
    const response = await app.get('/readyz', { auth: false });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ready');
    expect(Object.keys(response.body.checks)).toEqual(['database', 'classificationQueue', 'disk']);
    expect(response.body.checks.database.ok).toBe(true);
    expect(response.body.checks.disk.ok).toBe(true);
  });

  it('/readyz answers 503 with the reason while writes fail, and /healthz still 200', async () => {
    app.store.db.pragma('query_only = ON');
    const ready = await app.get('/readyz', { auth: false });
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('not_ready');
    expect(ready.body.checks.database).toEqual({
      ok: false,
      reason: 'a test write failed: database write failed (SQLITE_READONLY): attempt to write a readonly database',
    });
    expect((await app.get('/healthz', { auth: false })).status).toBe(200);
    app.store.db.pragma('query_only = OFF');
    expect((await app.get('/readyz', { auth: false })).status).toBe(200);
  });
});
