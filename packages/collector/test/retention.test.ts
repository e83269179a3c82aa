import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startCollector } from './support/start-collector.js';

const DAY_MS = 86_400_000;

describe('--retention-days', () => {
  it('deletes events older than the retention in the background, logs it, and still closes cleanly', async () => {
    const collector = await startCollector({ args: ['--retention-days', '30'] });
    const now = Date.now();
    const prompt = (messageId: string, ageMs: number) => ({
      type: 'track', event: 'ai_user_prompt_created', messageId, userId: 'u-1', timestamp: new Date(now - ageMs).toISOString(),
      properties: { conversation_id: `c-${messageId}` },
    });
    const response = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${collector.writeKey}:`).toString('base64')}` },
      body: JSON.stringify({ batch: [prompt('60-days', 60 * DAY_MS), prompt('31-days', 31 * DAY_MS), prompt('29-days', 29 * DAY_MS), prompt('today', 0)] }),
    });
    expect(response.status).toBe(200);

    // The job sweeps every 5 s.
    const deadline = Date.now() + 15_000;
    const sweepLine = (): Record<string, unknown> | undefined =>
      collector.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line['msg'] === 'retention: deleted old events');
    while (sweepLine() === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await collector.stop();

    expect(sweepLine()).toMatchObject({ deleted: 2, retentionDays: 30 });
    expect(collector.process.exitCode).toBe(0);
    const db = new Database(collector.dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT message_id FROM events ORDER BY ts').pluck().all()).toEqual(['29-days', 'today']);
    } finally {
      db.close();
    }
  }, 30_000);
});
