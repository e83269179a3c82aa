import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

/** Paths this process holds open (Linux), to see whether a database file was left open. */
function openPaths(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

describe.runIf(process.platform === 'linux')('a start that fails after opening the database', () => {
  let folder: string | undefined;
  let occupier: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (occupier === undefined ? resolve() : occupier.close(() => resolve())));
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('closes the database when the port is taken, so no file handle is left behind', async () => {
    occupier = createServer();
    await new Promise<void>((resolve) => occupier?.listen(0, '127.0.0.1', resolve));
    const takenPort = (occupier.address() as AddressInfo).port;
    folder = mkdtempSync(join(tmpdir(), 'chatmeter-start-failure-'));
    const db = join(folder, 'taken.db');
    const config = loadConfig(['--port', String(takenPort), '--host', '127.0.0.1', '--db', db, '--read-key', 'start_failure_read_key'], {});

    await expect(startServer(config, pino({ level: 'silent' }))).rejects.toThrow('EADDRINUSE');
    expect(openPaths().filter((path) => path.startsWith(db))).toEqual([]);
  });
});
