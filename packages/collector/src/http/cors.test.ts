import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { READ_KEY, startTestApp, type TestApp } from '../../test/support/test-app.js';

// Express matches routes case-insensitively, so CORS must follow the route a
// request reaches, not the spelling of its path.
const METRIC_PATH_SPELLINGS = ['/v1/metrics/active-users', '/v1/METRICS/report', '/V1/Metrics/active-users', '/v1/MeTrIcS/ACTIVE-USERS'];

describe('CORS by route', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  for (const path of METRIC_PATH_SPELLINGS) {
    it(`keeps ${path} preflights closed to other origins without an allowlist`, async () => {
      const response = await fetch(app.url + path, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-headers')).toBeNull();
    });

    it(`does not expose GET ${path} to other origins without an allowlist`, async () => {
      const response = await fetch(app.url + path, {
        headers: { origin: 'https://evil.example', authorization: `Bearer ${READ_KEY}` },
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  }

  for (const path of ['/v1/batch', '/V1/BATCH', '/v1/Track']) {
    it(`answers ${path} preflights from any origin without an allowlist`, async () => {
      const response = await fetch(app.url + path, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    });
  }
});

describe('CORS with an allowlist', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ corsOrigins: ['https://app.example'] });
  });
  afterEach(async () => {
    await app.close();
  });

  it('opens metric reads in any spelling to a listed origin', async () => {
    for (const path of METRIC_PATH_SPELLINGS) {
      const response = await fetch(app.url + path, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    }
  });

  it('refuses ingest in any spelling from an origin not listed', async () => {
    for (const path of ['/v1/batch', '/V1/BATCH']) {
      const response = await fetch(app.url + path, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('CORS on a rate-limited answer', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ appOptions: { rateLimits: { perWriteKey: 0, perIp: 1 } } });
  });
  afterEach(async () => {
    await app.close();
  });

  it('lets a browser on another origin read the 429 and its Retry-After', async () => {
    const send = () =>
      fetch(`${app.url}/v1/track`, {
        method: 'POST',
        headers: { origin: 'https://shop.example', 'content-type': 'text/plain', authorization: `Basic ${Buffer.from('test_write_key:').toString('base64')}` },
        body: JSON.stringify({ event: 'Signed Up', userId: 'u1' }),
      });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(limited.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });
});
