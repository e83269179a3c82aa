import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClickHouse, startClickHouse, TEST_USER, type StartedClickHouse } from './support/clickhouse-server.js';
import { startCollector } from './support/start-collector.js';
import { KEY_SETTINGS } from '../src/keys.js';
import { openClickHouseStore } from '../src/store/clickhouse/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Runs the built CLI to its end: exit code, stdout and stderr (the environment has no CHATMETER_ variables). */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CHATMETER_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describeWithClickHouse('chatmeter-collector on ClickHouse: migrate and start', () => {
  let clickhouse: StartedClickHouse;
  let directory: string;
  beforeAll(async () => {
    clickhouse = await startClickHouse();
    directory = mkdtempSync(join(tmpdir(), 'chatmeter-clickhouse-start-'));
  });
  afterAll(async () => {
    await clickhouse?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('migrate creates the schema once, then finds it current', async () => {
    const args = ['migrate', '--store', 'clickhouse', '--clickhouse-url', clickhouse.url, '--clickhouse-database', 'migrated'];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^ClickHouse ${clickhouse.url} database migrated: applied 1 `));
    const second = await runCli(args);
    expect(second).toMatchObject({ code: 0, stdout: `ClickHouse ${clickhouse.url} database migrated: schema is current, nothing applied\n` });
  });

  it('migrate reads the connection from CHATMETER_ variables and stops with one line when the login is refused', async () => {
    const env = {
      CHATMETER_STORE: 'clickhouse', CHATMETER_CLICKHOUSE_URL: clickhouse.url, CHATMETER_CLICKHOUSE_DATABASE: 'by_env',
      CHATMETER_CLICKHOUSE_USER: TEST_USER.username, CHATMETER_CLICKHOUSE_PASSWORD: TEST_USER.password,
    };
    expect((await runCli(['migrate'], env)).stdout).toMatch(/database by_env: applied 1 /);
    const refused = await runCli(['migrate'], { ...env, CHATMETER_CLICKHOUSE_PASSWORD: 'wrong' });
    expect(refused.code).toBe(2);
    // The collector's own last word; the ClickHouse client may log its own lines before it.
    expect(refused.stderr).toMatch(new RegExp(`^chatmeter-collector: cannot open database ClickHouse ${clickhouse.url} database by_env: .*Wrong password`, 'm'));
  });

  it('starts on ClickHouse with a password user, stores a batch and is ready, never logging the password', async () => {
    const collector = await startCollector({
      storeArgs: [
        '--store', 'clickhouse', '--clickhouse-url', clickhouse.url, '--clickhouse-database', 'started',
        '--clickhouse-user', TEST_USER.username, '--queue-file', join(directory, 'queue.db'),
      ],
      env: { CHATMETER_CLICKHOUSE_PASSWORD: TEST_USER.password },
    });
    try {
      const listening = collector.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry['msg'] === 'listening');
      expect(listening?.['store']).toBe(`ClickHouse ${clickhouse.url} database started`);
      const response = await fetch(`${collector.url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${collector.writeKey}:`).toString('base64')}` },
        body: JSON.stringify({ batch: [{ type: 'track', event: 'signup_clicked', userId: 'u1', messageId: 'start-1', timestamp: '2026-11-01T10:00:00Z' }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
      expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
      expect(collector.logLines.join('\n') + collector.stderr()).not.toContain(TEST_USER.password);
    } finally {
      await collector.stop();
    }
  });

  it('keys shows the development keys kept in ClickHouse, and says so when there are none', async () => {
    const args = ['keys', '--store', 'clickhouse', '--clickhouse-url', clickhouse.url, '--clickhouse-database', 'with_keys'];
    expect((await runCli(['migrate', ...args.slice(1)])).code).toBe(0);
    expect(await runCli(args)).toMatchObject({
      code: 0,
      stdout: `no generated keys in ClickHouse ${clickhouse.url} database with_keys: this collector runs with --write-key and --read-key\n`,
    });
    const store = await openClickHouseStore({ url: clickhouse.url, database: 'with_keys' });
    try {
      await store.setSetting(KEY_SETTINGS.writeKey, 'wk_generated');
      await store.setSetting(KEY_SETTINGS.readKey, 'rk_generated');
    } finally {
      await store.close();
    }
    const shown = await runCli(args);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^write key {2}wk_generated\nread key {3}rk_generated\n\(generated keys, kept in plaintext in the settings table of ClickHouse /);
  });

  it('with --no-migrate refuses to start on a database that was never migrated, in one line', async () => {
    const result = await runCli([
      'start', '--port', '0', '--no-demo-data', '--store', 'clickhouse', '--clickhouse-url', clickhouse.url, '--clickhouse-database', 'never_migrated', '--no-migrate',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^chatmeter-collector: cannot open database ${clickhouse.url} database never_migrated: .*never_migrated`, 'm'));
  });

  it('refuses --db together with --store clickhouse before connecting anywhere', async () => {
    const result = await runCli(['start', '--store', 'clickhouse', '--clickhouse-url', clickhouse.url, '--db', 'x.db']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'chatmeter-collector: --db (CHATMETER_DB) is the SQLite file and does not apply with --store clickhouse; remove it\n' });
  });
});
