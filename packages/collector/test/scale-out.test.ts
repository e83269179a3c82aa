import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoEvents } from '../src/demo/generate-demo-events.js';
import { METRIC_ENDPOINTS } from '../src/metrics/metric-catalog.js';
import type { MessageInput } from '../src/protocol/index.js';
import { describeWithClickHouse, startClickHouse, type StartedClickHouse } from './support/clickhouse-server.js';
import { startCollector, type StartedCollector } from './support/start-collector.js';

/**
 * The deployment the ClickHouse store exists for: a load balancer in front
 * of several stateless collectors, all writing to one ClickHouse cluster.
 * Here: two shards, two collector processes (the built CLI) on their own
 * ports, each connected to its own shard, and a plain SQLite collector fed
 * the same events as the reference answer.
 */

const WRITE_KEY = 'scale_out_write_key';
const READ_KEY = 'scale_out_read_key';
const ADMIN_KEY = 'scale_out_admin_key';
// 60 days ending 2026-11-20: both the European (25 Oct) and the US (1 Nov) end of summer time fall inside.
const DEMO = { users: 1_600, days: 60, seed: 2026, endDate: Date.UTC(2026, 10, 20, 18) };
const RANGE = 'from=2026-09-22&to=2026-11-20';
const TIME_ZONES = ['UTC', 'Europe/Berlin', 'America/New_York'];
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** Requests in flight at once against the cluster, as several browsers would make. */
const CONCURRENCY = 4;

describeWithClickHouse('two collectors on two ClickHouse shards answer as one SQLite collector', () => {
  let clickhouse: StartedClickHouse;
  let directory: string;
  let reference: StartedCollector;
  /** The collectors behind the "load balancer"; null while one is down. */
  const collectors: (StartedCollector | null)[] = [null, null];
  const restarted: StartedCollector[] = [];
  let batches: MessageInput[][];
  const delivery = { sent: 0, retriedElsewhere: 0, duplicatedOnPurpose: 0, failedAtKill: 0 };

  const startClusterCollector = (index: number) =>
    startCollector({
      writeKeys: [WRITE_KEY],
      readKey: READ_KEY,
      storeArgs: [
        '--store', 'clickhouse', '--clickhouse-url', clickhouse.urls[index]!, '--clickhouse-cluster', clickhouse.cluster!,
        '--queue-file', join(directory, `queue-${index}.db`),
      ],
      args: ['--admin-key', ADMIN_KEY, '--rate-limit-per-key', '0', '--rate-limit-per-ip', '0'],
    });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'chatmeter-scale-out-'));
    batches = [...generateDemoEvents(DEMO)];
    clickhouse = await startClickHouse({ shards: 2 });
    // Every shard is migrated before any collector reads through the Distributed tables (docs/scale-out.md).
    for (const url of clickhouse.urls) {
      expect(await runCli(['migrate', '--store', 'clickhouse', '--clickhouse-url', url, '--clickhouse-cluster', clickhouse.cluster!]))
        .toMatch(/: applied 1 /);
    }
    [collectors[0], collectors[1], reference] = await Promise.all([
      startClusterCollector(0),
      startClusterCollector(1),
      startCollector({
        writeKeys: [WRITE_KEY],
        readKey: READ_KEY,
        args: ['--admin-key', ADMIN_KEY, '--rate-limit-per-key', '0', '--rate-limit-per-ip', '0'],
      }),
    ]);
    console.info(`scale-out: ${batches.flat().length} events in ${batches.length} batches; ClickHouse shards ${clickhouse.urls.join(', ')}`);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([...collectors, ...restarted, reference].map((collector) => collector?.stop()));
    await clickhouse?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    // Three collectors flushing and two servers stopping, on a machine busy with other suites.
  }, 180_000);

  it('stores 100,000+ events sent over both collectors, with retries and a collector killed mid-load, each exactly once', async () => {
    const messageIds = new Set(batches.flatMap((batch) => batch.map((message) => message.messageId)));
    expect(messageIds.size).toBeGreaterThanOrEqual(100_000);

    const referenceLoad = sendAll(reference, batches, 2);
    const killAt = Math.floor(batches.length * 0.4);
    const restartAt = Math.floor(batches.length * 0.55);
    let next = 0;
    let killed: Promise<void> | undefined;
    let restarting: Promise<void> | undefined;
    const worker = async () => {
      for (;;) {
        const index = next++;
        if (index >= batches.length) return;
        if (index === killAt) {
          // SIGKILL while this batch is on its way to collector 2: its answer is lost, so it is sent again at collector 1,
          // whether or not the first insert reached ClickHouse.
          const victim = collectors[1]!;
          const cut = postBatch(victim, batches[index]!).then((status) => status, () => 'cut' as const);
          await new Promise((resolve) => setTimeout(resolve, 20));
          killed = killCollector(1);
          if ((await cut) === 'cut') delivery.failedAtKill += 1;
          await deliver(batches[index]!, 0);
          continue;
        }
        if (index === restartAt) {
          restarting = (async () => {
            await killed;
            const collector = await startClusterCollector(1);
            restarted.push(collector);
            collectors[1] = collector;
          })();
        }
        const batch = batches[index]!;
        const landedAt = await deliver(batch, index % 2);
        // Every 7th batch: the client's answer was lost, so it sends the batch again and the balancer picks the other collector.
        if (index % 7 === 0) {
          delivery.duplicatedOnPurpose += 1;
          await deliver(batch, 1 - landedAt);
        }
      }
    };
    const loadStarted = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await restarting;
    await referenceLoad;
    console.info(
      `scale-out: loaded in ${((Date.now() - loadStarted) / 1000).toFixed(0)} s; collector 2 killed at batch ${killAt}, restarted at batch ${restartAt}; ` +
        `requests ${delivery.sent} answered, ${delivery.retriedElsewhere} retried at the other collector (${delivery.failedAtKill} cut by the kill), ` +
        `${delivery.duplicatedOnPurpose} batches sent twice on purpose`,
    );
    expect(killed).toBeDefined();
    expect(restarted).toHaveLength(1);
    expect(delivery.sent).toBeGreaterThanOrEqual(batches.length);

    // 0 lost: the cluster holds every message id (read through the Distributed table, as the collectors read).
    // Retries made physical copies; that they count once is what the metric comparison below shows.
    const [distinct, rows] = (await clickhouse.query('SELECT uniqExact(write_key, message_id), count() FROM chatmeter.events FORMAT TSV'))
      .trim().split('\t').map(Number);
    console.info(`scale-out: ${distinct} distinct events stored on the cluster as ${rows} rows (copies from retries not merged yet: ${rows! - distinct!})`);
    expect(distinct).toBe(messageIds.size);
    expect(rows).toBeGreaterThanOrEqual(distinct!);
    const referenceIds = await exportedMessageIds(reference);
    expect(referenceIds.count).toBe(messageIds.size);
    expect(referenceIds.ids.size).toBe(messageIds.size);
  }, 600_000);

  it('answers every metric endpoint, in three time zones, from either collector exactly as the SQLite collector does', async () => {
    // Every endpoint is asked before anything is asserted, so a failure lists all the disagreeing answers at once.
    const mismatches: string[] = [];
    let firstDifference: { path: string; actual: unknown; expected: unknown } | undefined;
    for (const metric of METRIC_ENDPOINTS) {
      for (const timeZone of TIME_ZONES) {
        const path = `/v1/metrics/${metric.path}?${RANGE}&tz=${encodeURIComponent(timeZone)}`;
        const expected = await getJson(reference, path);
        expect(expected.status, `${path} on SQLite`).toBe(200);
        for (const [index, collector] of liveCollectors().entries()) {
          const actual = await getJson(collector, path);
          const where = `${path} on collector ${index + 1}`;
          if (actual.status !== 200) mismatches.push(`${where}: HTTP ${actual.status} ${JSON.stringify(actual.body).slice(0, 300)}`);
          else if (JSON.stringify(actual.body) !== JSON.stringify(expected.body)) {
            mismatches.push(`${where}: a different answer`);
            firstDifference ??= { path: where, actual: actual.body, expected: expected.body };
          }
        }
      }
    }
    if (mismatches.length > 0) console.info(`scale-out: ${mismatches.length} answers differ from SQLite:\n${mismatches.join('\n')}`);
    if (firstDifference !== undefined) expect(firstDifference.actual, firstDifference.path).toEqual(firstDifference.expected);
    expect(mismatches).toEqual([]);
  }, 600_000);

  it('shows the same session from either collector', async () => {
    const sessionId = batches.flat().find((message) => message.type === 'track' && message.context?.sessionId !== undefined)?.context
      ?.sessionId as string;
    expect(sessionId).toBeTypeOf('string');
    const path = `/v1/metrics/sessions/${encodeURIComponent(sessionId)}`;
    const expected = await getJson(reference, path);
    expect(expected.status).toBe(200);
    for (const collector of liveCollectors()) expect((await getJson(collector, path)).body).toEqual(expected.body);
  });

  function liveCollectors(): StartedCollector[] {
    return collectors.filter((collector): collector is StartedCollector => collector !== null);
  }

  async function killCollector(index: number): Promise<void> {
    const collector = collectors[index]!;
    collectors[index] = null;
    await collector.kill();
  }

  /**
   * Sends a batch as a load balancer would: to the preferred collector, or,
   * when it is down or the request fails, to the other one, until one
   * answers 200. Returns the index of the collector that took it.
   */
  async function deliver(batch: MessageInput[], preferred: number): Promise<number> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const index = collectors[preferred] === null || attempt % 2 === 1 ? 1 - preferred : preferred;
      const collector = collectors[index];
      if (collector === null || collector === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      try {
        const status = await postBatch(collector, batch);
        delivery.sent += 1;
        if (status === 200) return index;
        throw new Error(`status ${status}`);
      } catch {
        // The killed collector's in-flight requests end here; their batches may or may not have reached ClickHouse.
        delivery.retriedElsewhere += 1;
      }
    }
    throw new Error('a batch found no collector to take it within 200 attempts');
  }
});

/** Runs the built CLI to its end and returns its stdout; rejects with its stderr when it fails. */
async function runCli(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], { timeout: 60_000 });
  return stdout;
}

async function sendAll(collector: StartedCollector, batches: MessageInput[][], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= batches.length) return;
      const status = await postBatch(collector, batches[index]!);
      if (status !== 200) throw new Error(`the SQLite collector answered ${status} to batch ${index}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function postBatch(collector: StartedCollector, batch: MessageInput[]): Promise<number> {
  const response = await fetch(`${collector.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
    body: JSON.stringify({ batch }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function getJson(collector: StartedCollector, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(collector.url + path, { headers: { authorization: `Bearer ${READ_KEY}` } });
  const text = await response.text();
  return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** Every event the collector exports (all receive times), as message ids and a line count. */
async function exportedMessageIds(collector: StartedCollector): Promise<{ ids: Set<string>; count: number }> {
  const response = await fetch(`${collector.url}/v1/export?from=2020-01-01&to=2099-12-31`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status).toBe(200);
  const lines = (await response.text()).split('\n').filter((line) => line !== '');
  return { ids: new Set(lines.map((line) => (JSON.parse(line) as { message_id: string }).message_id)), count: lines.length };
}
