import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { useAppAndBrowser } from '../support/browser-suite.js';
import { chromiumAvailable } from '../support/chromium.js';
import { eventually, readEvents } from '../support/read-events.js';
import { WRITE_KEY } from '../support/test-app.js';

const require = createRequire(import.meta.url);
const SNIPPET = readFileSync(require.resolve('@chatmeter/sdk/snippet'), 'utf8');

/** Room for five waiting events: the eight tracked below overflow it by three. */
const MAX_QUEUE_SIZE = 5;

/** A page with the snippet and a tiny queue, served on the collector's origin (see sdk-offline.test.ts for why). */
function chatPage(collectorUrl: string): string {
  const snippet = SNIPPET.replace('https://YOUR-COLLECTOR', collectorUrl);
  return `<!doctype html><html><head><title>Chat</title><script>${snippet}</script><script>
    chatmeter.init({ writeKey: ${JSON.stringify(WRITE_KEY)}, endpoint: ${JSON.stringify(collectorUrl)}, maxQueueSize: ${MAX_QUEUE_SIZE}, flushAt: 100, flushIntervalMs: 200 });
  </script></head><body>chat</body></html>`;
}

type Scope = { chatmeter: { track(event: string, properties: object): void; flush(): Promise<void>; q?: unknown } };

describe.skipIf(!chromiumAvailable())('SDK delivery health in real Chromium against the real collector', () => {
  const suite = useAppAndBrowser();

  it('reports the events dropped on a full queue while the collector was unreachable, and the delivery metric shows them', async () => {
    const context = await suite.browser.newContext();
    const pageUrl = `${suite.app.url}/checkout.html`;
    await context.route(pageUrl, (route) => route.fulfill({ contentType: 'text/html', body: chatPage(suite.app.url) }));
    // The collector is unreachable for this page: every send fails at the network layer.
    let failedSends = 0;
    await context.route(`${suite.app.url}/v1/batch`, (route) => {
      failedSends += 1;
      return route.abort('connectionrefused');
    });
    const page = await context.newPage();
    await page.goto(pageUrl);
    await page.waitForFunction(() => !('q' in (globalThis as unknown as Scope).chatmeter));

    await page.evaluate(async () => {
      const { chatmeter } = globalThis as unknown as Scope;
      for (let step = 0; step < 8; step += 1) chatmeter.track('checkout_step', { step });
      await chatmeter.flush();
    });
    // At least one backed-off retry as well as the first attempt.
    await eventually(() => expect(failedSends).toBeGreaterThanOrEqual(2), 10_000);
    expect(readEvents(suite.app.dbPath)).toEqual([]);

    // Reachable again.
    await context.unroute(`${suite.app.url}/v1/batch`);
    await page.evaluate(() => (globalThis as unknown as Scope).chatmeter.flush());
    const rows = await eventually(() => {
      const stored = readEvents(suite.app.dbPath);
      expect(stored.map((row) => row.event)).toEqual(['checkout_step', 'checkout_step', 'checkout_step', 'checkout_step', 'checkout_step', 'chatmeter_sdk_health']);
      return stored;
    });
    // The oldest three were dropped to make room.
    expect(rows.slice(0, 5).map((row) => JSON.parse(row.properties).step)).toEqual([3, 4, 5, 6, 7]);
    const health = JSON.parse(rows[5]!.properties) as Record<string, unknown>;
    expect(health).toMatchObject({ queued: 8, sent: 5, retried: failedSends, dropped_queue_full: 3, dropped_rejected: 0, storage: 'indexeddb' });
    expect(rows[5]!.anonymous_id).toBe(rows[0]!.anonymous_id);

    const delivery = await suite.app.get('/v1/metrics/delivery');
    expect(delivery.status).toBe(200);
    expect(delivery.body.total).toEqual({
      reports: 1,
      queued: 8,
      sent: 5,
      stored: 5,
      retried: failedSends,
      dropped: 3,
      dropped_queue_full: 3,
      dropped_rejected: 0,
      reporting_browsers: 1,
      memory_browsers: 0,
      memory_share: 0,
    });
    await context.close();
  });
});
