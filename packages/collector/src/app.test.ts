import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/support/test-app.js';

describe('the collector app', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('answers the health check', async () => {
    const response = await app.get('/healthz', { auth: false });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('sets security headers on every response', async () => {
    const response = await app.get('/healthz', { auth: false });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('answers CORS preflights for ingest from any origin when no allowlist is set', async () => {
    const response = await fetch(`${app.url}/v1/batch`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(response.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  it('does not open metric reads to other origins without an allowlist', async () => {
    const response = await fetch(`${app.url}/v1/metrics/active-users`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 401 to metric queries without the read key', async () => {
    const missing = await app.get('/v1/metrics/active-users', { auth: false });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      error: { code: 'missing_read_key', message: 'send the read key as "Authorization: Bearer <readKey>"' },
    });
  });
});
