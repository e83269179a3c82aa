import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCollector } from './support/start-collector.js';

describe('graceful shutdown', () => {
  it('finishes in-flight requests on SIGTERM, closes the database and exits 0', async () => {
    const collector = await startCollector();
    const auth = `Basic ${Buffer.from(`${collector.writeKey}:`).toString('base64')}`;
    const batch = Array.from({ length: 200 }, (_, index) => ({
      type: 'track',
      event: 'Tested',
      messageId: `m${index}`,
      anonymousId: 'a',
    }));
    const inFlight = fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ batch }),
    });
    // Signal while the request is on its way; it must still be answered.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const exitCode = new Promise<number | null>((resolve) => collector.process.once('exit', (code) => resolve(code)));
    collector.process.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await exitCode).toBe(0);
    expect(collector.logLines.some((line) => line.includes('"msg":"closed"'))).toBe(true);
    // The WAL was checkpointed into the main file on close.
    const walSize = (() => {
      try {
        return statSync(`${collector.dbPath}-wal`).size;
      } catch {
        return 0;
      }
    })();
    expect(walSize).toBe(0);
  });

  it('refuses to start with a one-line message naming a bad option', async () => {
    await expect(startCollector({ args: ['--port', 'abc'] })).rejects.toThrow(
      /--port \(CHATMETER_PORT\) must be an integer 0–65535, got "abc"/,
    );
  });
});
