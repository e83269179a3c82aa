import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installArgs, taskPlan } from '../../../scripts/task.mjs';

/**
 * The README's own start commands: `npm start`, `npm start -- --no-demo-data`
 * and flags such as `--port`, passed through the root task runner.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the task runner', () => {
  it('passes the arguments after the task to chatmeter-collector start as they are, without a literal --', () => {
    expect(taskPlan('start', ['--port', '19250', '--no-demo-data'])?.command?.args).toEqual([
      'packages/collector/dist/cli.js', 'start', '--port', '19250', '--no-demo-data',
    ]);
  });

  it('installs without a question it could not ask: a node_modules made with other settings is replaced, as in CI', () => {
    expect(installArgs({})).toEqual(['install', '--config.confirm-modules-purge=false']);
    expect(installArgs({ CI: 'true' })).toEqual(['install', '--config.confirm-modules-purge=false', '--frozen-lockfile']);
  });

  it('builds the packages before starting, quietly', () => {
    expect(taskPlan('start', [])?.steps).toEqual([['build', ['run', 'build:packages']]]);
  });

  it('starts the collector with `npm start -- --port N --no-demo-data`, printing one line for the install', async () => {
    const port = await freePort();
    const directory = mkdtempSync(join(tmpdir(), 'chatmeter-start-'));
    const child = spawn('npm', ['start', '--', '--port', String(port), '--no-demo-data', '--db', join(directory, 'start.db')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Built already by the test command; rebuilding would pull dist/ from under the other tests.
      env: { ...process.env, CHATMETER_PREBUILT: '1' },
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /Chatmeter collector on (http:\/\/\S+)/.exec(output);
          if (match?.[1] !== undefined) {
            clearInterval(timer);
            resolve(match[1]);
          }
        }, 100);
        child.once('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`npm start exited with ${code}:\n${output}`));
        });
      });
      expect(banner).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${banner}/healthz`)).status).toBe(200);
      expect(output).toMatch(/^install… done \(/m);
      expect(output).not.toContain('gyp info');
      expect(output).not.toMatch(/loading demo data/i);
    } finally {
      // A start that failed has exited already: killing its group then would hide the failure's message.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    }
  }, 300_000);
});
