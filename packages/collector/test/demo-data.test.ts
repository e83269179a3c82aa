import { createServer, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DemoLoadError } from '../src/demo/demo-load-error.js';
import { generateDemoEvents } from '../src/demo/generate-demo-events.js';
import { loadDemoData, type DemoLoadProgress } from '../src/demo/load-demo-data.js';
import { startTestApp, WRITE_KEY, type TestApp } from './support/test-app.js';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const DEMO = { users: 50, days: 14, seed: 42, endDate: Date.UTC(2026, 0, 31, 15, 0, 0) };

describe('loading demo data through HTTP', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  function storedCount(): number {
    return (app.store.db.prepare('SELECT COUNT(*) AS count FROM events').get() as { count: number }).count;
  }

  it('stores every generated message, with the timestamps as generated', async () => {
    const generated = [...generateDemoEvents(DEMO)].flat();
    const progress: DemoLoadProgress[] = [];
    const result = await loadDemoData({ ...DEMO, url: app.url, writeKey: WRITE_KEY, onProgress: (update) => progress.push(update) });

    expect(result.events).toBe(generated.length);
    expect(result.duplicates).toBe(0);
    expect(storedCount()).toBe(generated.length);
    expect(progress.at(-1)).toMatchObject({ sent: generated.length, total: generated.length });

    // No sentAt is sent, so the clock-skew correction leaves historic times alone.
    const first = generated[0]!;
    const row = app.store.db.prepare('SELECT ts FROM events WHERE message_id = ?').get(first.messageId) as { ts: number };
    expect(row.ts).toBe(Date.parse(String(first.timestamp)));
  });

  it('gives the delivery metric SDK health reports that account for every stored demo event', async () => {
    await loadDemoData({ ...DEMO, url: app.url, writeKey: WRITE_KEY });
    const delivery = await app.get('/v1/metrics/delivery?from=2026-01-18&to=2026-01-31');
    expect(delivery.status).toBe(200);
    const { total } = delivery.body;
    expect(total.reports).toBeGreaterThan(100);
    expect(total.reporting_browsers).toBeGreaterThan(40);
    expect(total.stored).toBeGreaterThan(1000);
    // A page hidden under a minute after its first report sends no second one, so a few sent events go unreported.
    expect(total.sent).toBeLessThanOrEqual(total.stored);
    expect(total.sent / total.stored).toBeGreaterThan(0.9);
  });

  it('stores nothing twice when the same demo is loaded again', async () => {
    const first = await loadDemoData({ ...DEMO, url: app.url, writeKey: WRITE_KEY });
    const second = await loadDemoData({ ...DEMO, url: app.url, writeKey: WRITE_KEY });
    expect(second.duplicates).toBe(first.events);
    expect(storedCount()).toBe(first.events);
  });

  it('reports a refused write key without retrying', async () => {
    const load = loadDemoData({ ...DEMO, users: 2, url: app.url, writeKey: 'not_a_known_key' });
    await expect(load).rejects.toBeInstanceOf(DemoLoadError);
    await expect(load).rejects.toMatchObject({ status: 401, message: expect.stringContaining('unknown write key') });
  });

  it('reports an unreachable collector after its retries', async () => {
    const load = loadDemoData({ ...DEMO, users: 2, url: `http://127.0.0.1:${await closedPort()}`, writeKey: WRITE_KEY, maxAttempts: 2 });
    await expect(load).rejects.toThrow(/could not reach the collector .*ECONNREFUSED/);
  });
});
