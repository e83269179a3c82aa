import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/index.js';
import { createReadiness } from './readiness.js';
import { storedEventColumns, storedEventNameFor } from '../../test/support/stored-event-columns.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const MINUTE = 60_000;

function capturingLogger(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      messages.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream) as Logger, messages };
}

/**
 * Queues a prompt the way ingest does, enqueued at `at`. Migration 033's code
 * columns keep a text as it is, which `type` reads back unchanged.
 */
function enqueuePrompt(store: SqliteStore, id: number, at: number): void {
  store.db
    .prepare(`INSERT INTO events (id, write_key, message_id, type_code, ${storedEventColumns(store.db)('event')}, user_key, ts, received_at_offset, properties, context, debug)
              VALUES (?, 'wk', ?, 'track', ${storedEventNameFor(store.db)("'ai_user_prompt_created'")}, 'u1', ?, 0, '{}', '{}', 0)`)
    .run(id, `m${id}`, at);
  store.db.prepare('INSERT INTO intent_queue (event_id, prompt_text, enqueued_at) VALUES (?, ?, ?)').run(id, 'text', at);
}

describe('readiness', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore({ path: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('is ready when a write commits, the queue is fresh and the disk has room', async () => {
    const { logger } = capturingLogger();
    const readiness = createReadiness({ store, logger, now: () => NOW, dataDirectory: '/data', freeDiskBytes: async () => 500 * 1024 * 1024 });
    const report = await readiness();
    expect(report.ready).toBe(true);
    expect(report.checks.disk).toEqual({ ok: true, freeBytes: 524288000, minFreeBytes: 104857600 });
    expect(report.checks.classificationQueue).toEqual({ ok: true, queued: 0, oldestAgeMs: 0 });
  });

  it('is not ready when a write fails, and says why', async () => {
    const { logger } = capturingLogger();
    store.db.pragma('query_only = ON');
    const report = await createReadiness({ store, logger, now: () => NOW })();
    expect(report.ready).toBe(false);
    expect(report.checks.database).toEqual({
      ok: false,
      reason: 'a test write failed: database write failed (SQLITE_READONLY): attempt to write a readonly database',
    });
  });

  it('is not ready when free disk falls under the minimum', async () => {
    const { logger } = capturingLogger();
    const readiness = createReadiness({
      store, logger, now: () => NOW, dataDirectory: '/data', minFreeDiskBytes: 100 * 1024 * 1024, freeDiskBytes: async () => 40 * 1024 * 1024,
    });
    expect((await readiness()).checks.disk).toEqual({
      ok: false,
      freeBytes: 41943040,
      minFreeBytes: 104857600,
      reason: '40 MB free on the disk of /data, under the 100 MB minimum (--min-free-disk-mb)',
    });
  });

  it('measures real free space with statfs', async () => {
    const { logger } = capturingLogger();
    const report = await createReadiness({ store, logger, now: () => NOW, dataDirectory: '/', minFreeDiskBytes: Number.MAX_SAFE_INTEGER })();
    expect(report.checks.disk.ok).toBe(false);
    expect(report.checks.disk['freeBytes']).toBeGreaterThan(0);
  });

  it('is not ready when the oldest queued prompt is too old and the queue does not shrink, ready again once it shrinks', async () => {
    const { logger } = capturingLogger();
    enqueuePrompt(store, 1, NOW - 30 * MINUTE);
    enqueuePrompt(store, 2, NOW - 29 * MINUTE);
    const readiness = createReadiness({ store, logger, now: () => NOW, maxQueueAgeMs: 10 * MINUTE });
    const stuck = await readiness();
    expect(stuck.checks.classificationQueue).toEqual({
      ok: false,
      queued: 2,
      oldestAgeMs: 1_800_000,
      reason: 'the oldest of 2 queued prompts waits for 1800 s (limit 600 s) and the queue is not shrinking; is the classifier reachable?',
    });
    store.db.prepare('DELETE FROM intent_queue WHERE event_id = 1').run();
    const moving = await readiness();
    expect(moving.ready).toBe(true);
    expect(moving.checks.classificationQueue).toEqual({ ok: true, queued: 1, oldestAgeMs: 1_740_000 });
  });

  it('logs the reason once when readiness flips, not on every probe', async () => {
    const { logger, messages } = capturingLogger();
    let freeBytes = 10;
    const readiness = createReadiness({ store, logger, now: () => NOW, dataDirectory: '/data', minFreeDiskBytes: 100, freeDiskBytes: async () => freeBytes });
    await readiness();
    await readiness();
    await readiness();
    freeBytes = 1000;
    await readiness();
    await readiness();
    expect(messages).toEqual(['not ready', 'ready again']);
  });

  it('is not ready, rather than failing the probe, when the classification queue cannot be read', async () => {
    const { logger } = capturingLogger();
    const brokenQueue = {
      checkWritable: async () => {},
      queuedPromptCount: async () => {
        throw new Error('disk I/O error');
      },
      oldestQueuedPromptAt: async () => null,
    };
    const report = await createReadiness({ store: brokenQueue, logger, now: () => NOW })();
    expect(report.ready).toBe(false);
    expect(report.checks.classificationQueue).toEqual({ ok: false, reason: 'cannot read the classification queue: disk I/O error' });
  });
});
