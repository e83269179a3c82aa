import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface StartedCollector {
  url: string;
  writeKey: string;
  readKey: string;
  dbPath: string;
  process: ChildProcess;
  /** Lines the collector wrote to stdout (JSON logs) so far. */
  logLines: string[];
  /** What the collector wrote to stderr so far (the start-up banner). */
  stderr(): string;
  /** SIGTERM and wait for exit (graceful shutdown). */
  stop(): Promise<void>;
  /** SIGKILL now, as a crash would. */
  kill(): Promise<void>;
}

export interface StartCollectorOptions {
  /** `[]` starts without --write-key (development generates one). */
  writeKeys?: string[];
  /** `null` starts without --read-key (development generates one). */
  readKey?: string | null;
  /** Reuse a database file (e.g. after a kill); a fresh temp file otherwise. */
  dbPath?: string;
  /** Arguments that choose the store in place of `--db <dbPath>`, e.g. `['--store', 'clickhouse', '--clickhouse-url', url]`. */
  storeArgs?: string[];
  args?: string[];
  /** Let `start` load demo data into an empty database (off by default in tests). */
  demoData?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The program that starts the collector, e.g. an installed `chatmeter-collector` bin; the built `dist/cli.js` by default. */
  command?: string[];
}

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * Spawns the built collector (`dist/cli.js`, or `options.command`) on 127.0.0.1 with an ephemeral
 * port and resolves once it logs `listening`. Run `pnpm build` first.
 */
export async function startCollector(options: StartCollectorOptions = {}): Promise<StartedCollector> {
  const writeKeys = options.writeKeys ?? ['test_write_key'];
  const readKey = options.readKey === undefined ? 'test_read_key' : options.readKey;
  const dbPath = options.dbPath ?? join(mkdtempSync(join(tmpdir(), 'chatmeter-')), 'chatmeter.db');
  const [program, ...programArgs] = options.command ?? [process.execPath, CLI];
  const child = spawn(
    program!,
    [...programArgs, 'start', '--port', '0', '--host', '127.0.0.1', ...(options.storeArgs ?? ['--db', dbPath]), ...(readKey === null ? [] : ['--read-key', readKey]),
      ...writeKeys.flatMap((key) => ['--write-key', key]), ...(options.demoData === true ? [] : ['--no-demo-data']),
      ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  const logLines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // 'close' (not 'exit'): stdout and stderr are read to their end by then.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start within 20 s; stderr: ${stderr}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code} before listening; stderr: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logLines.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url !== undefined) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a JSON log line
      }
    });
  });
  return {
    url,
    writeKey: (writeKeys[0] ?? '').replace(/:dev$/, ''),
    readKey: readKey ?? '',
    dbPath,
    process: child,
    logLines,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
