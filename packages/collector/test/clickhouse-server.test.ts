import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeWithClickHouse, startClickHouse, TEST_CLUSTER, TEST_USER, type StartedClickHouse } from './support/clickhouse-server.js';

describeWithClickHouse('the private ClickHouse test server', () => {
  let single: StartedClickHouse;
  beforeAll(async () => {
    single = await startClickHouse();
  });
  afterAll(async () => {
    await single?.stop();
  });

  it('answers SELECT version() with the installed 18.16 or later', async () => {
    const version = (await single.query('SELECT version()')).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const [major, minor] = version.split('.').map(Number);
    expect(major! > 18 || (major === 18 && minor! >= 16)).toBe(true);
  });

  it('listens on loopback only and runs in UTC', async () => {
    expect(single.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await single.query('SELECT toString(toDateTime(3600)) FORMAT TSV')).toBe('1970-01-01 01:00:00\n');
  });

  it('accepts the password user and refuses a wrong password', async () => {
    const auth = (password: string) => ({ 'X-ClickHouse-User': TEST_USER.username, 'X-ClickHouse-Key': password });
    const good = await fetch(`${single.url}/?query=SELECT%201`, { headers: auth(TEST_USER.password) });
    expect(await good.text()).toBe('1\n');
    const bad = await fetch(`${single.url}/?query=SELECT%201`, { headers: auth('wrong') });
    expect(bad.status).not.toBe(200);
  });

  it('removes its directory and stops answering after stop()', async () => {
    const other = await startClickHouse();
    expect(existsSync(other.directory)).toBe(true);
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(existsSync(other.directory)).toBe(false);
    await expect(fetch(`${other.url}/ping`)).rejects.toThrow();
    await other.stop();
  });
});

describeWithClickHouse('two private ClickHouse servers as two shards', () => {
  let cluster: StartedClickHouse;
  beforeAll(async () => {
    cluster = await startClickHouse({ shards: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('names the cluster of both shards in each server', async () => {
    expect(cluster.cluster).toBe(TEST_CLUSTER);
    expect(cluster.urls).toHaveLength(2);
    for (const index of [0, 1]) {
      const shards = await cluster.query(`SELECT shard_num, port FROM system.clusters WHERE cluster = '${TEST_CLUSTER}' ORDER BY shard_num FORMAT TSV`, index);
      expect(shards).toBe(`1\t${cluster.tcpPorts[0]}\n2\t${cluster.tcpPorts[1]}\n`);
    }
  });

  it('sums the rows of both shards through a Distributed table', async () => {
    for (const index of [0, 1]) {
      await cluster.query('CREATE TABLE harness_local (id UInt32, amount UInt32) ENGINE = MergeTree ORDER BY id', index);
      await cluster.query(`CREATE TABLE harness_all AS harness_local ENGINE = Distributed(${TEST_CLUSTER}, currentDatabase(), harness_local, id)`, index);
    }
    await cluster.query('INSERT INTO harness_local VALUES (1, 10), (2, 20)', 0);
    await cluster.query('INSERT INTO harness_local VALUES (3, 300)', 1);
    expect(await cluster.query('SELECT count(), sum(amount) FROM harness_all FORMAT TSV', 0)).toBe('3\t330\n');
    expect(await cluster.query('SELECT count(), sum(amount) FROM harness_all FORMAT TSV', 1)).toBe('3\t330\n');
  });
});

describe('without clickhouse-server installed', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('skips the ClickHouse suites with a loud warning locally', async () => {
    vi.stubEnv('CHATMETER_CLICKHOUSE_SERVER', '/nonexistent/clickhouse-server');
    vi.stubEnv('CI', '');
    vi.resetModules();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { clickHouseAvailable } = await import('./support/clickhouse-server.js');
    expect(clickHouseAvailable()).toBe(false);
    expect(warn.mock.calls[0]?.[0]).toContain('!!! clickhouse-server not found at /nonexistent/clickhouse-server');
    expect(warn.mock.calls[0]?.[0]).toContain('SKIPPING the ClickHouse suites');
  });

  it('fails instead of skipping when CI=true', async () => {
    vi.stubEnv('CHATMETER_CLICKHOUSE_SERVER', '/nonexistent/clickhouse-server');
    vi.stubEnv('CI', 'true');
    vi.resetModules();
    const { clickHouseAvailable } = await import('./support/clickhouse-server.js');
    expect(() => clickHouseAvailable()).toThrow(/^clickhouse-server not found at \/nonexistent\/clickhouse-server: ClickHouse tests cannot run\./);
  });
});
