import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector } from './support/start-collector.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const LONG_WRITE_KEY = 'wk_live_0123456789abcdefghij';
const LONG_READ_KEY = 'rk_live_0123456789abcdefghij';

/** Runs the built CLI to its exit; resolves with the exit code and both outputs. */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error as { code?: number }).code ?? null, stdout, stderr });
    });
  });
}

/** The banner is written just after the `listening` log line: wait for its closing blank line before stopping. */
async function bannerOf(collector: StartedCollector): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (!collector.stderr().endsWith('\n\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await collector.stop();
  return collector.stderr();
}

function freshDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'chatmeter-cli-')), 'chatmeter.db');
}

describe('operator errors at start-up', () => {
  it('an unwritable database path gives one line naming the path, exit code 2', async () => {
    const result = await runCli(['start', '--port', '0', '--no-demo-data', '--db', '/proc/chatmeter.db']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'chatmeter-collector: cannot open database /proc/chatmeter.db: unable to open database file (is the directory writable?)\n',
    );
  });

  it('a database in a missing directory gives one line too', async () => {
    const result = await runCli(['start', '--port', '0', '--no-demo-data', '--db', '/nonexistent-chatmeter-dir/x.db']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'chatmeter-collector: cannot open database /nonexistent-chatmeter-dir/x.db: Cannot open database because the directory does not exist (is the directory writable?)\n',
    );
  });

  it('production refuses a read key equal to the write key with one line, exit code 2', async () => {
    const result = await runCli(
      ['start', '--port', '0', '--no-demo-data', '--db', freshDbPath(), '--write-key', LONG_WRITE_KEY, '--read-key', LONG_WRITE_KEY],
      { NODE_ENV: 'production' },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('chatmeter-collector: --read-key (CHATMETER_READ_KEY) must differ from every write key\n');
  });

  it('production refuses 8-character keys with one line, exit code 2', async () => {
    const result = await runCli(['start', '--port', '0', '--no-demo-data', '--db', freshDbPath()], {
      NODE_ENV: 'production',
      CHATMETER_WRITE_KEYS: 'wk_short',
      CHATMETER_READ_KEY: LONG_READ_KEY,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'chatmeter-collector: --write-key (CHATMETER_WRITE_KEYS) must be at least 24 characters when NODE_ENV=production, got one of 8\n',
    );
  });
});

describe('the /demo page of a running collector', () => {
  let collector: StartedCollector | undefined;
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
  });

  it('is 404 in production without --demo', async () => {
    collector = await startCollector({ writeKeys: [LONG_WRITE_KEY], readKey: LONG_READ_KEY, env: { NODE_ENV: 'production' } });
    expect((await fetch(`${collector.url}/demo`)).status).toBe(404);
    expect(await bannerOf(collector)).not.toContain('/demo');
  });

  it('with --demo in production serves a page holding neither the write key nor the read key', async () => {
    collector = await startCollector({
      writeKeys: [LONG_WRITE_KEY], readKey: LONG_READ_KEY, args: ['--demo'], env: { NODE_ENV: 'production' },
    });
    const page = await (await fetch(`${collector.url}/demo`)).text();
    expect(page).toMatch(/writeKey: "wk_demo_[0-9a-f]{32}"/);
    expect(page).not.toContain(LONG_WRITE_KEY);
    expect(page).not.toContain(LONG_READ_KEY);
  });

  it('is on by default in development', async () => {
    collector = await startCollector();
    expect((await fetch(`${collector.url}/demo`)).status).toBe(200);
    expect(await bannerOf(collector)).toContain(`demo chat  ${collector.url}/demo`);
  });
});

describe('generated development keys', () => {
  let collector: StartedCollector | undefined;
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
  });

  it('are printed on the start that creates them only; later starts and `keys` say where they are', async () => {
    const dbPath = freshDbPath();
    collector = await startCollector({ dbPath, writeKeys: [], readKey: null });
    const first = await bannerOf(collector);
    const writeKey = /write key {2}(wk_[0-9a-f]{32})/.exec(first)?.[1];
    const readKey = /read key {3}(rk_[0-9a-f]{32})/.exec(first)?.[1];
    expect(writeKey).toBeDefined();
    expect(readKey).toBeDefined();
    expect(first).toContain(`show them again with: chatmeter-collector keys --db ${dbPath}`);

    collector = await startCollector({ dbPath, writeKeys: [], readKey: null });
    const second = await bannerOf(collector);
    expect(second).not.toContain(writeKey!);
    expect(second).not.toContain(readKey!);
    expect(second).toContain(`keys       development keys kept in ${dbPath}; show them with: chatmeter-collector keys --db ${dbPath}`);

    const shown = await runCli(['keys', '--db', dbPath]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`write key  ${writeKey}\n`);
    expect(shown.stdout).toContain(`read key   ${readKey}\n`);
    expect(shown.stdout).toMatch(/demo key {3}wk_demo_[0-9a-f]{32}\n/);
  });
});
