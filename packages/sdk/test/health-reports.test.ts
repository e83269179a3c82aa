import 'fake-indexeddb/auto';
import { clear, createStore } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acceptAll, startFakeCollector } from './support/fake-collector.js';
import { makeClient } from './support/client.js';

let collector: Awaited<ReturnType<typeof startFakeCollector>>;
const clients: { shutdown(): void }[] = [];

beforeEach(async () => {
  localStorage.clear();
  sessionStorage.clear();
  await clear(createStore('chatmeter', 'events'));
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.shutdown();
  vi.restoreAllMocks();
  await collector.close();
});

const hidePage = () => window.dispatchEvent(new Event('pagehide'));
/** What the collector stored: the page-hide beacon resends what is unacknowledged, and the collector keeps one per messageId. */
const unique = (messages: Array<Record<string, any>>) => [...new Map(messages.map((message) => [message['messageId'], message])).values()];

describe('chatmeter_sdk_health', () => {
  it('reports a full queue, a retry and what was sent once the collector is reachable, then only what changed since', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let now = Date.parse('2026-03-01T10:00:00Z');
    collector = await startFakeCollector([() => ({ status: 503 }), acceptAll]);
    const client = makeClient({ endpoint: collector.url, maxQueueSize: 3, flushAt: 1000 }, { now: () => now, random: () => 0 });
    clients.push(client);
    for (let index = 0; index < 5; index += 1) client.track('e', { index });
    await client.flush(); // 503: retried later
    now += 2000;
    await client.flush(); // accepted: the 3 events the queue kept; then the session's report is queued
    await client.flush();
    const [report] = unique(collector.healthReports());
    expect(report!['properties']).toEqual({ queued: 5, sent: 3, retried: 1, dropped_queue_full: 2, dropped_rejected: 0, storage: 'indexeddb' });
    expect(report!['context'].library.name).toBe('@chatmeter/sdk');
    expect(unique(collector.messages()).map((message) => message['properties'].index)).toEqual([2, 3, 4]);

    // A minute later, the page is hidden: a report of what happened since, health reports themselves not counted.
    now += 60_000;
    client.track('late');
    hidePage();
    await client.flush();
    const reports = unique(collector.healthReports());
    expect(reports).toHaveLength(2);
    expect(reports[1]!['properties']).toMatchObject({ queued: 1, sent: 0, retried: 0, dropped_queue_full: 0, dropped_rejected: 0 });
  });

  it('sends at most one report a minute, and none when nothing was counted since the last', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    collector = await startFakeCollector();
    const client = makeClient({ endpoint: collector.url }, { now: () => now });
    clients.push(client);
    client.track('a');
    hidePage();
    client.track('b');
    now += 30_000;
    hidePage(); // under a minute after the first report
    now += 60_000;
    await client.flush();
    hidePage(); // the flush above reported b queued and a, b sent (the session's report): this one is under a minute later
    await client.flush();
    now += 60_000;
    hidePage(); // nothing happened since: no report
    await client.flush();
    expect(unique(collector.healthReports()).map((report) => report['properties'].queued)).toEqual([1, 1]);
  });

  it('does not extend the session: an idle page that reports keeps its session ending on time', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    collector = await startFakeCollector();
    const client = makeClient({ endpoint: collector.url, sessionTimeoutMinutes: 30 }, { now: () => now });
    clients.push(client);
    client.track('a');
    now += 20 * 60_000;
    hidePage(); // report within the session, 20 minutes after the last activity
    now += 11 * 60_000;
    client.track('b'); // 31 minutes after the last activity: a new session
    await client.flush();
    const [a, b] = unique(collector.messages());
    expect(unique(collector.healthReports())[0]!['context'].sessionId).toBe(a!['context'].sessionId);
    expect(b!['context'].sessionId).not.toBe(a!['context'].sessionId);
  });
});
