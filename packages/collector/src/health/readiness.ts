import { statfs } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ClassificationQueue } from '../classification/classification-queue.js';
import type { WriteProbe } from '../store/write-probe.js';

/** One readiness check: `ok`, and when it is not, `reason` in words an operator acts on. */
export interface CheckResult {
  ok: boolean;
  reason?: string;
  [detail: string]: unknown;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { database: CheckResult; classificationQueue: CheckResult; disk: CheckResult };
}

/** The parts of a store readiness looks at: a probe write and the classification queue's length and age. */
export type ReadinessStore = WriteProbe & Pick<ClassificationQueue, 'queuedPromptCount' | 'oldestQueuedPromptAt'>;

export interface ReadinessOptions {
  store: ReadinessStore;
  logger: Logger;
  now: () => number;
  /** Directory of the database file; undefined skips the disk check (in-memory stores). */
  dataDirectory?: string | undefined;
  /** Below this many free bytes the collector is not ready; default 100 MB. */
  minFreeDiskBytes?: number;
  /** The queue is stuck when its oldest prompt is older than this and the queue is not shrinking; default 10 min. */
  maxQueueAgeMs?: number;
  /** A probe write slower than this fails; default 1 s. */
  writeTimeoutMs?: number;
  /** Free bytes of the file system holding `path` (injectable for tests). */
  freeDiskBytes?: (path: string) => Promise<number>;
}

// 100 MB: room for several minutes of heavy ingest plus a WAL checkpoint, and
// enough warning before SQLite starts answering SQLITE_FULL.
export const DEFAULT_MIN_FREE_DISK_BYTES = 100 * 1024 * 1024;
// 10 min: the LLM classifier works through thousands of prompts in that time;
// an older head of queue that does not shrink means the worker is stuck.
const DEFAULT_MAX_QUEUE_AGE_MS = 10 * 60 * 1000;

/**
 * Readiness (`/readyz`): can this collector take traffic now? A write
 * commits within a second, the classification queue is moving, and the
 * disk has room. Liveness (`/healthz`) is separate and only says the
 * process answers. The reason is logged once when readiness flips.
 */
export function createReadiness(options: ReadinessOptions): () => Promise<ReadinessReport> {
  const minFreeDiskBytes = options.minFreeDiskBytes ?? DEFAULT_MIN_FREE_DISK_BYTES;
  const maxQueueAgeMs = options.maxQueueAgeMs ?? DEFAULT_MAX_QUEUE_AGE_MS;
  const writeTimeoutMs = options.writeTimeoutMs ?? 1000;
  const freeDiskBytes = options.freeDiskBytes ?? statfsFreeBytes;
  let previousQueued: number | undefined;
  let wasReady = true;

  async function checkDatabase(): Promise<CheckResult> {
    const started = options.now();
    try {
      await withTimeout(options.store.checkWritable(), writeTimeoutMs);
    } catch (error) {
      return { ok: false, reason: `a test write failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    // better-sqlite3 writes synchronously, so a slow write shows only in the elapsed time.
    const elapsedMs = options.now() - started;
    if (elapsedMs > writeTimeoutMs) return { ok: false, elapsedMs, reason: `a test write took ${elapsedMs} ms (limit ${writeTimeoutMs} ms)` };
    return { ok: true, elapsedMs };
  }

  async function checkQueue(): Promise<CheckResult> {
    let queued: number;
    let oldestAt: number | null;
    try {
      queued = await options.store.queuedPromptCount();
      oldestAt = await options.store.oldestQueuedPromptAt();
    } catch (error) {
      // A failing read is a reason not to be ready, never a 500 from the probe.
      return { ok: false, reason: `cannot read the classification queue: ${error instanceof Error ? error.message : String(error)}` };
    }
    const shrinking = previousQueued !== undefined && queued < previousQueued;
    previousQueued = queued;
    const oldestAgeMs = oldestAt === null ? 0 : Math.max(0, options.now() - oldestAt);
    if (oldestAgeMs <= maxQueueAgeMs || shrinking) return { ok: true, queued, oldestAgeMs };
    return {
      ok: false,
      queued,
      oldestAgeMs,
      reason: `the oldest of ${queued} queued prompts waits for ${Math.round(oldestAgeMs / 1000)} s (limit ${Math.round(maxQueueAgeMs / 1000)} s) and the queue is not shrinking; is the classifier reachable?`,
    };
  }

  async function checkDisk(): Promise<CheckResult> {
    if (options.dataDirectory === undefined) return { ok: true, skipped: 'in-memory database' };
    let freeBytes: number;
    try {
      freeBytes = await freeDiskBytes(options.dataDirectory);
    } catch (error) {
      return { ok: false, reason: `cannot read free space of ${options.dataDirectory}: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (freeBytes >= minFreeDiskBytes) return { ok: true, freeBytes, minFreeBytes: minFreeDiskBytes };
    return {
      ok: false,
      freeBytes,
      minFreeBytes: minFreeDiskBytes,
      reason: `${formatMb(freeBytes)} free on the disk of ${options.dataDirectory}, under the ${formatMb(minFreeDiskBytes)} minimum (--min-free-disk-mb)`,
    };
  }

  return async () => {
    const [database, classificationQueue, disk] = await Promise.all([checkDatabase(), checkQueue(), checkDisk()]);
    const checks = { database, classificationQueue, disk };
    const ready = database.ok && classificationQueue.ok && disk.ok;
    if (ready !== wasReady) {
      wasReady = ready;
      if (ready) options.logger.info('ready again');
      else options.logger.warn({ reasons: failedReasons(checks) }, 'not ready');
    }
    return { ready, checks };
  };
}

function failedReasons(checks: ReadinessReport['checks']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(checks)
      .filter(([, check]) => !check.ok)
      .map(([name, check]) => [name, check.reason ?? 'failed']),
  );
}

async function statfsFreeBytes(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}

function formatMb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
