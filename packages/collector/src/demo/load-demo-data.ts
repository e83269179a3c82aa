import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchResult, MessageInput } from '../protocol/index.js';
import { DemoLoadError } from './demo-load-error.js';
import type { DemoOptions } from './demo-settings.js';
import { generateDemoEvents } from './generate-demo-events.js';

export interface LoadDemoDataOptions extends DemoOptions {
  /** Base URL of a running collector, e.g. `http://127.0.0.1:8787`. */
  url: string;
  writeKey: string;
  /** Called once the total is known (sent 0), then after every stored batch. */
  onProgress?: (progress: DemoLoadProgress) => void;
  /** Requests in flight (default 2: one is parsed while the other commits). */
  concurrency?: number;
  /** Tries per batch when the collector is unreachable or answers 5xx / 429 (default 5). */
  maxAttempts?: number;
}

export interface DemoLoadProgress {
  /** Messages the collector has acknowledged. */
  sent: number;
  total: number;
  /** Since the call, including the count of the messages before the first request. */
  elapsedMs: number;
}

export interface DemoLoadResult {
  /** Messages acknowledged, including duplicates. */
  events: number;
  /** Messages already stored by an earlier load with the same options. */
  duplicates: number;
  batches: number;
  elapsedMs: number;
}

/**
 * Posts generated demo data through the collector's real ingest path
 * (`POST /v1/batch`, write key as HTTP Basic user), so demo rows are stored
 * exactly like SDK traffic. Message ids are deterministic: loading the same
 * demo again is harmless (its messages come back as duplicates).
 */
export async function loadDemoData(options: LoadDemoDataOptions): Promise<DemoLoadResult> {
  const started = performance.now();
  // Read "now" once: the count and the load must generate the same events.
  const demo: DemoOptions = {
    ...(options.users === undefined ? {} : { users: options.users }),
    ...(options.days === undefined ? {} : { days: options.days }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    endDate: options.endDate ?? Date.now(),
  };
  const total = await countWithoutBlocking(demo);
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/batch`;
  const post = batchPoster(endpoint, options.writeKey, options.maxAttempts ?? 5);
  const batches = generateDemoEvents(demo);
  let sent = 0;
  let duplicates = 0;
  let batchCount = 0;
  let failure: { error: unknown } | undefined;
  options.onProgress?.({ sent, total, elapsedMs: performance.now() - started });

  // Workers share one generator: each takes the next batch when its request is answered.
  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      const next = batches.next();
      if (next.done === true) return;
      try {
        const result = await post(next.value);
        sent += next.value.length;
        duplicates += result.duplicates;
        batchCount += 1;
        options.onProgress?.({ sent, total, elapsedMs: performance.now() - started });
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  if (failure !== undefined) throw failure.error;
  return { events: sent, duplicates, batches: batchCount, elapsedMs: performance.now() - started };
}

/** Counts the demo's messages for the progress total, letting the event loop breathe in between. */
async function countWithoutBlocking(demo: DemoOptions): Promise<number> {
  let count = 0;
  let batches = 0;
  for (const batch of generateDemoEvents(demo)) {
    count += batch.length;
    // Keeps a collector in the same process answering while the count runs.
    if ((batches += 1) % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return count;
}

function batchPoster(endpoint: string, writeKey: string, maxAttempts: number): (batch: MessageInput[]) => Promise<BatchResult> {
  const headers = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
  };
  return async (batch) => {
    // No sentAt, on the batch or on a message: the collector would correct
    // every timestamp by receivedAt − sentAt (Segment's clock-skew fix),
    // which moves historic events by the network delay. Without sentAt it
    // stores the timestamps as given.
    const body = JSON.stringify({ batch });
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(endpoint, { method: 'POST', headers, body });
      } catch (error) {
        if (attempt >= maxAttempts) {
          throw new DemoLoadError(`could not reach the collector at ${endpoint} (${networkReason(error)}); is it running?`, {
            cause: error,
          });
        }
        await sleep(backoffMs(attempt));
        continue;
      }
      if (response.ok) return checkAccepted((await response.json()) as BatchResult, batch);
      const text = await response.text();
      if (isRetryable(response.status) && attempt < maxAttempts) {
        await sleep(retryAfterMs(response) ?? backoffMs(attempt));
        continue;
      }
      throw new DemoLoadError(`the collector answered ${response.status}: ${errorMessage(text)}`, { status: response.status });
    }
  };
}

/**
 * Demo messages are generated to be valid, so a rejection means generator
 * and protocol disagree: stop loudly rather than store a partial demo.
 */
function checkAccepted(result: BatchResult, batch: readonly MessageInput[]): BatchResult {
  const first = result.rejected[0];
  if (first === undefined) return result;
  const errors = first.errors.map((error) => `${error.path} ${error.message}`).join('; ');
  throw new DemoLoadError(
    `the collector rejected ${result.rejected.length} of ${batch.length} demo messages, e.g. ${first.messageId ?? `#${first.index}`}: ${errors}`,
  );
}

/** 5xx, 429 and 408 are worth another try; duplicates of a retried batch are dropped by messageId. */
function isRetryable(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

function backoffMs(attempt: number): number {
  return 250 * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : undefined;
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, bad port…) is in `cause`. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The collector's `{ error: { code, message } }` body, or the raw text. */
function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message !== undefined) return `${body.error.message}${body.error.code === undefined ? '' : ` (${body.error.code})`}`;
  } catch {
    // not JSON: show it as it is
  }
  return text.slice(0, 200) || '(empty body)';
}
