import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector } from './support/start-collector.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ADMIN_KEY = 'test_admin_key_0123456789';
const BATCH_SIZE = 10;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error as { code?: number }).code ?? null, stdout, stderr });
    });
  });
}

/** Ten responses, all marked with their batch number, so a backup can be checked batch by batch. */
function batchOf(batchNumber: number): unknown {
  return {
    batch: Array.from({ length: BATCH_SIZE }, (_, index) => ({
      type: 'track',
      event: 'ai_llm_response_received',
      messageId: `b${batchNumber}-${index}`,
      userId: `u-${batchNumber % 5}`,
      timestamp: new Date().toISOString(),
      properties: { conversation_id: `c-${batchNumber}`, prompt_number: 1, latency_ms: 1000, model_used: 'gpt-x', batch: batchNumber },
    })),
  };
}

describe('chatmeter-collector backup', () => {
  const collectors: StartedCollector[] = [];
  afterEach(async () => {
    await Promise.all(collectors.splice(0).map((collector) => collector.stop()));
  });

  it('copies a consistent snapshot while batches keep arriving, and a collector starts on the copy', async () => {
    const live = await startCollector({ args: ['--admin-key', ADMIN_KEY, '--rate-limit-per-key', '0', '--rate-limit-per-ip', '0'] });
    collectors.push(live);
    const authorization = `Basic ${Buffer.from(`${live.writeKey}:`).toString('base64')}`;
    let acknowledged = 0;
    let sent = 0;
    let posting = true;
    // Four writers posting batches back to back until the backup is done.
    const writers = Array.from({ length: 4 }, async () => {
      while (posting) {
        const batchNumber = sent++;
        const response = await fetch(`${live.url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify(batchOf(batchNumber)),
        });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        acknowledged += 1;
      }
    });
    while (acknowledged < 30) await new Promise((resolve) => setTimeout(resolve, 10));

    const backupPath = join(mkdtempSync(join(tmpdir(), 'chatmeter-backup-')), 'copy.db');
    const acknowledgedBefore = acknowledged;
    const result = await runCli(['backup', '--db', live.dbPath, '--to', backupPath]);
    const sentAfter = sent;
    posting = false;
    await Promise.all(writers);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^backed up .* to ${backupPath} \\(\\d+ pages, \\d+ ms\\); restore with: chatmeter-collector start --db ${backupPath}\\n$`));

    // Every batch is wholly in the copy or wholly out of it.
    const copy = new Database(backupPath, { readonly: true });
    const perBatch = copy
      .prepare("SELECT json_extract(properties, '$.batch') AS batch, COUNT(*) AS events FROM events GROUP BY batch")
      .all() as { batch: number; events: number }[];
    copy.close();
    expect(perBatch.filter((row) => row.events !== BATCH_SIZE)).toEqual([]);
    expect(perBatch.length).toBeGreaterThanOrEqual(acknowledgedBefore);
    expect(perBatch.length).toBeLessThanOrEqual(sentAfter);

    const restored = await startCollector({ dbPath: backupPath, args: ['--admin-key', ADMIN_KEY] });
    collectors.push(restored);
    const exported = await fetch(`${restored.url}/v1/export?from=2000-01-01&to=2100-01-01`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect((await exported.text()).split('\n').filter((line) => line !== '')).toHaveLength(perBatch.length * BATCH_SIZE);
    const today = new Date().toISOString().slice(0, 10);
    const latency = await fetch(`${restored.url}/v1/metrics/latency?from=${today}&to=${today}&tz=UTC`, {
      headers: { authorization: `Bearer ${restored.readKey}` },
    });
    expect(latency.status).toBe(200);
    expect(await latency.json()).toEqual([
      { key: 'gpt-x', count: perBatch.length * BATCH_SIZE, avg_ms: 1000, p50_ms: 1000, p95_ms: 1000, p99_ms: 1000 },
    ]);
  }, 60_000);

  it('refuses with one line a missing database, an existing target and a missing directory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'chatmeter-backup-'));
    const missing = await runCli(['backup', '--db', join(directory, 'none.db'), '--to', join(directory, 'copy.db')]);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe(`chatmeter-collector: no database at ${join(directory, 'none.db')}; pass the collector's --db (CHATMETER_DB)\n`);

    const source = join(directory, 'live.db');
    new Database(source).close();
    const existing = join(directory, 'taken.db');
    writeFileSync(existing, 'keep me');
    expect((await runCli(['backup', '--db', source, '--to', existing])).stderr).toBe(
      `chatmeter-collector: ${existing} already exists; a backup never overwrites a file, choose a new name\n`,
    );
    expect((await runCli(['backup', '--db', source, '--to', '/nonexistent-chatmeter-dir/copy.db'])).stderr).toBe(
      'chatmeter-collector: cannot write /nonexistent-chatmeter-dir/copy.db: the directory /nonexistent-chatmeter-dir does not exist\n',
    );
    expect((await runCli(['backup', '--db', source])).stderr).toBe('chatmeter-collector: backup needs --to FILE: where to write the copy (a new file)\n');
    const unwritable = await runCli(['backup', '--db', source, '--to', '/proc/copy.db']);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/^chatmeter-collector: cannot write \/proc\/copy\.db: .*\n$/);
  });
});
