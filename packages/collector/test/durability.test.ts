import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector } from './support/start-collector.js';

function batchOf(start: number, size: number): Record<string, unknown>[] {
  return Array.from({ length: size }, (_, offset) => ({
    type: 'track',
    event: 'ai_user_prompt_created',
    messageId: `msg-${start + offset}`,
    anonymousId: `anon-${(start + offset) % 17}`,
    context: { sessionId: `sess-${(start + offset) % 5}` },
    properties: { conversation_id: `conv-${(start + offset) % 9}`, prompt_number: 1 },
  }));
}

describe('durability', () => {
  let collector: StartedCollector | undefined;
  afterEach(async () => {
    await collector?.kill();
  });

  it('keeps every acknowledged message when the collector is killed with SIGKILL mid-stream', async () => {
    collector = await startCollector();
    const { url, writeKey, dbPath } = collector;
    const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;

    // Four concurrent senders stream batches until the process dies under them.
    const sender = async (): Promise<void> => {
      while (!killed) {
        const start = next;
        next += 50;
        const batch = batchOf(start, 50);
        try {
          const response = await fetch(`${url}/v1/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: auth },
            body: JSON.stringify({ batch }),
          });
          if (response.status === 200) acknowledged.push(...batch.map((message) => String(message['messageId'])));
        } catch {
          // connection reset by the kill: this batch was never acknowledged
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    // Kill once enough batches were acknowledged (not after a fixed time: a busy machine acknowledges fewer per second), senders still mid-stream.
    const deadline = Date.now() + 30_000;
    while (acknowledged.length <= 400 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    killed = true;
    await collector.kill();
    await Promise.all(senders);
    expect(acknowledged.length).toBeGreaterThan(200);

    // Restart on the same file: recovery replays the WAL.
    collector = await startCollector({ dbPath });
    await collector.stop();
    const db = new Database(dbPath, { readonly: true });
    const stored = new Set(
      (db.prepare('SELECT message_id FROM events').all() as { message_id: string }[]).map((row) => row.message_id),
    );
    db.close();
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
  });
});
