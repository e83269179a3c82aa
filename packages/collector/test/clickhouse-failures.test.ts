import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { migrateClickHouse } from '../src/store/clickhouse/index.js';
import { describeWithClickHouse, startClickHouse, type StartedClickHouse } from './support/clickhouse-server.js';
import { startCollector, type StartedCollector } from './support/start-collector.js';

/** What a collector on ClickHouse answers when ClickHouse fails under it (docs/scale-out.md, "What happens when something fails"). */
describeWithClickHouse('a collector whose ClickHouse fails', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startOn(clickhouse: StartedClickHouse, serverIndex: number): Promise<StartedCollector> {
    const directory = mkdtempSync(join(tmpdir(), 'chatmeter-clickhouse-failure-'));
    const collector = await startCollector({
      storeArgs: [
        '--store', 'clickhouse', '--clickhouse-url', clickhouse.urls[serverIndex]!, '--queue-file', join(directory, 'queue.db'),
        ...(clickhouse.cluster === undefined ? [] : ['--clickhouse-cluster', clickhouse.cluster]),
      ],
    });
    cleanups.push(async () => {
      try {
        await collector.stop();
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
    return collector;
  }

  function postOne(collector: StartedCollector, messageId: string): Promise<Response> {
    return fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${collector.writeKey}:`).toString('base64')}` },
      body: JSON.stringify({ batch: [{ type: 'track', event: 'signup_clicked', userId: `user-${messageId}`, messageId, timestamp: '2026-11-01T10:00:00Z' }] }),
    });
  }

  it('answers ingest with 503 and Retry-After, and fails /readyz, while its only server is down', async () => {
    const clickhouse = await startClickHouse();
    cleanups.push(() => clickhouse.stop());
    const collector = await startOn(clickhouse, 0);
    expect((await postOne(collector, 'before')).status).toBe(200);

    await clickhouse.stop();
    const during = await postOne(collector, 'during');
    expect(during.status).toBe(503);
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${collector.url}/readyz`)).status).toBe(503);
    // The collector itself stays up for the load balancer's liveness check.
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });

  it('acknowledges nothing while one shard of the cluster is down: every batch is refused with a 503 the SDK retries', async () => {
    const clickhouse = await startClickHouse({ shards: 2 });
    cleanups.push(() => clickhouse.stop());
    for (const url of clickhouse.urls) {
      await migrateClickHouse({ url, database: 'chatmeter', cluster: clickhouse.cluster! });
    }
    const collector = await startOn(clickhouse, 0);
    expect((await postOne(collector, 'before')).status).toBe(200);

    await clickhouse.stopServer(1);
    // Messages spread over both shards by (write key, message id): some of these land on the missing one.
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => postOne(collector, `during-${id}`)));
    // Reads go through the Distributed table too (the duplicate look-up before each insert), so no batch is acknowledged:
    // each is a 503 with Retry-After, which the SDK retries until the shard is back.
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503, 503, 503, 503, 503, 503]);
    expect(answers.every((answer) => Number(answer.headers.get('retry-after')) > 0)).toBe(true);
  });
});
