import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../event-record.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { SqliteStore } from './sqlite-store.js';

/** A file store writes on its writer thread (writer-thread.ts), through a second connection to the same file. */

const T0 = Date.UTC(2026, 2, 2, 9, 0);

function prompt(messageId: string, fields: Partial<EventRecord> = {}): EventRecord {
  return {
    writeKey: 'wk', messageId, type: 'track', event: 'ai_user_prompt_created', userId: 'u-1', anonymousId: null, previousId: null,
    sessionId: 's-1', conversationId: 'c-1', promptNumber: null, originalTimestamp: null, sentAt: null, receivedAt: T0,
    timestamp: T0, latencyMs: null, timeToFirstTokenMs: null, tokensPerSecond: null, responseId: null, regeneratedFrom: null, promptTokens: null,
    completionTokens: null, totalTokens: null, cost: null, model: null, status: null, errorType: null, intent: null, actionType: null,
    feedbackType: null, feedbackValue: null, rating: null, thumbsUp: null, debug: false, bot: false, internal: false, properties: {}, context: {},
    acquisitionChannel: null, traits: null, extra: {}, pendingPromptText: null, ingestClassificationUsage: null, ...fields,
  };
}

describe('the SQLite writer thread', () => {
  let directory: string;
  let store: SqliteStore;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'chatmeter-writer-'));
    store = new SqliteStore({ path: join(directory, 'test.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('has committed a batch when insertEvents resolves: another connection reads it, and a retry stores nothing twice', async () => {
    const outcomes = await Promise.all([
      store.insertEvents([prompt('m-1'), prompt('m-2')]),
      store.insertEvents([prompt('m-2'), prompt('m-3')]),
    ]);
    expect(outcomes).toEqual([{ inserted: 2, duplicates: 0 }, { inserted: 1, duplicates: 1 }]);
    const reader = new Database(join(directory, 'test.db'), { readonly: true });
    expect(reader.prepare('SELECT message_id FROM events ORDER BY id').pluck().all()).toEqual(['m-1', 'm-2', 'm-3']);
    reader.close();
    expect(await store.insertEvents([prompt('m-1')])).toEqual({ inserted: 0, duplicates: 1 });
  });

  it('answers a write the lock keeps out with a retryable error, without blocking the event loop, and writes it once the lock is free', async () => {
    // Another process holds the write lock for longer than busy_timeout (5 s).
    const other = new Database(join(directory, 'test.db'));
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 100);
    try {
      const error = await store.insertEvents([prompt('m-locked')]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/^database write failed \(SQLITE_BUSY\)/);
      // The wait happened on the writer thread: this thread's timers kept firing through it.
      expect(ticks).toBeGreaterThanOrEqual(20);
    } finally {
      clearInterval(ticker);
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.insertEvents([prompt('m-locked')])).toEqual({ inserted: 1, duplicates: 0 });
  }, 20_000);

  it('folds the rollups on the writer thread in the background, so a quiet store is current without a metric read', async () => {
    await store.insertEvents([prompt('m-1'), prompt('m-2')]);
    const watermark = () => store.db.prepare('SELECT folded_through FROM rollup_watermark').pluck().get() as number;
    const deadline = Date.now() + 5_000;
    while (watermark() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watermark()).toBe(2);
  });

  it('refuses writes after close with a retryable error', async () => {
    await store.close();
    await expect(store.insertEvents([prompt('m-late')])).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
