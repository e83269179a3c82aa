import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import type { DataLifecycle } from '../store/data-lifecycle.js';
import { createRetentionJob, startRetentionJob } from './retention-job.js';

const DAY_MS = 86_400_000;
/** The job's clock: 2026-03-31 12:00 UTC. */
const NOW = Date.parse('2026-03-31T12:00:00.000Z');

function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => (raw.push(String(chunk)), done()) }));
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function prompt(messageId: string, timestamp: number): Record<string, unknown> {
  return {
    type: 'track', event: 'ai_user_prompt_created', messageId, userId: `u-${messageId}`, timestamp: new Date(timestamp).toISOString(),
    properties: { conversation_id: `c-${messageId}` },
  };
}

/** Counts the batches the job asks for. */
function countingLifecycle(store: DataLifecycle): { lifecycle: Pick<DataLifecycle, 'deleteEventsBefore'>; batches: () => number } {
  let batches = 0;
  return {
    lifecycle: {
      deleteEventsBefore: (cutoffMs, limit) => {
        batches += 1;
        return store.deleteEventsBefore(cutoffMs, limit);
      },
    },
    batches: () => batches,
  };
}

describe('retention job', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('deletes exactly the events older than the retention, in batches, and logs how many', async () => {
    app = await startTestApp({ now: () => NOW });
    const result = await app.post('/v1/batch', {
      batch: [
        prompt('45-days', NOW - 45 * DAY_MS),
        prompt('31-days', NOW - 31 * DAY_MS),
        prompt('30-days-and-1-ms', NOW - 30 * DAY_MS - 1),
        prompt('exactly-30-days', NOW - 30 * DAY_MS),
        prompt('29-days', NOW - 29 * DAY_MS),
        prompt('today', NOW - 60_000),
      ],
    });
    expect(result.status).toBe(200);
    const { logger, lines } = capturingLogger();
    const counting = countingLifecycle(app.store);
    const job = createRetentionJob({ lifecycle: counting.lifecycle, retentionDays: 30, logger, now: () => NOW, batchSize: 2 });

    expect(await job.sweep()).toBe(3);

    expect(app.store.db.prepare('SELECT message_id FROM events ORDER BY ts').pluck().all()).toEqual(['exactly-30-days', '29-days', 'today']);
    // 2 + 1: the short batch says nothing older is left.
    expect(counting.batches()).toBe(2);
    expect(lines()).toMatchObject([
      { level: 30, msg: 'retention: deleted old events', deleted: 3, before: '2026-03-01T12:00:00.000Z', retentionDays: 30 },
    ]);
    expect(await job.sweep()).toBe(0);
    expect(lines()).toHaveLength(1);
  });

  it('keeps answering ingest while it deletes a large backlog', async () => {
    app = await startTestApp({ now: () => NOW });
    for (let start = 0; start < 3000; start += 500) {
      const batch = Array.from({ length: 500 }, (_, index) => prompt(`old-${start + index}`, NOW - 60 * DAY_MS + (start + index) * 1000));
      expect((await app.post('/v1/batch', { batch })).status).toBe(200);
    }
    const counting = countingLifecycle(app.store);
    const job = createRetentionJob({ lifecycle: counting.lifecycle, retentionDays: 30, logger: pino({ level: 'silent' }), now: () => NOW, batchSize: 50 });

    const sweeping = job.sweep();
    const ingest = await app.post('/v1/batch', { batch: [prompt('new-1', NOW - 1000)] });
    const batchesWhenAnswered = counting.batches();
    expect(await sweeping).toBe(3000);

    expect(ingest.status).toBe(200);
    // Answered between two of the sweep's 61 batches, not after the last one.
    expect(batchesWhenAnswered).toBeGreaterThan(0);
    expect(batchesWhenAnswered).toBeLessThan(counting.batches());
    expect(app.store.db.prepare('SELECT message_id FROM events').pluck().all()).toEqual(['new-1']);
  });

  it('starts no batch after stop, and resolves stop once the running one has committed', async () => {
    let batches = 0;
    const lifecycle = {
      deleteEventsBefore: async (_cutoffMs: number, limit: number) => {
        batches += 1;
        if (batches === 2) void job.stop();
        return limit;
      },
    };
    const job = createRetentionJob({ lifecycle, retentionDays: 7, logger: pino({ level: 'silent' }), batchSize: 10 });

    expect(await job.sweep()).toBe(20);
    expect(batches).toBe(2);
    expect(await job.sweep()).toBe(0);
  });

  it('sweeps again on its interval, and logs a failed sweep as a warning instead of stopping', async () => {
    const cutoffs: number[] = [];
    let clock = NOW;
    const lifecycle = {
      deleteEventsBefore: async (cutoffMs: number) => {
        cutoffs.push(cutoffMs);
        clock += DAY_MS;
        if (cutoffs.length === 1) throw new Error('database write failed (SQLITE_FULL)');
        return 0;
      },
    };
    const { logger, lines } = capturingLogger();
    const job = startRetentionJob({ lifecycle, retentionDays: 1, logger, now: () => clock, intervalMs: 10 });
    while (cutoffs.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await job.stop();

    // Each sweep takes its cutoff from the clock at its start.
    expect(cutoffs.slice(0, 3)).toEqual([NOW - DAY_MS, NOW, NOW + DAY_MS]);
    expect(lines()).toMatchObject([{ level: 40, msg: 'retention: deleting old events failed; retrying at the next sweep', err: { message: 'database write failed (SQLITE_FULL)' } }]);
  });

  it("paces itself as the engine asks when not told otherwise (ClickHouse: large batches, rare sweeps)", async () => {
    const limits: number[] = [];
    const lifecycle = {
      retentionPace: { batchSize: 3, intervalMs: 10 },
      deleteEventsBefore: async (_cutoffMs: number, limit: number) => {
        limits.push(limit);
        return limits.length === 1 ? limit : 0;
      },
    };
    const job = startRetentionJob({ lifecycle, retentionDays: 1, logger: pino({ level: 'silent' }) });
    // Two batches in the first sweep, one in the next, 10 ms later (the default pause is 5 s).
    const deadline = Date.now() + 2_000;
    while (limits.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await job.stop();
    expect(limits.slice(0, 3)).toEqual([3, 3, 3]);
  });
});
