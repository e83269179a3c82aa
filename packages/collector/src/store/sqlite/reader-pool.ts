import type { Worker } from 'node:worker_threads';
import type { MetricsSource } from '../../metrics/metrics-source.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import {
  type MetricsMethod,
  metricsMethods,
  type ReaderReply,
  type ReaderRequest,
  type ReaderThreadData,
  receiveReadError,
  transferArgs,
} from './reader-thread-protocol.js';
import { moduleExtension, startWorkerModule } from './worker-module.js';

interface Waiting {
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

interface ReaderThread {
  worker: Worker;
  waiting: Map<number, Waiting>;
}

/**
 * Metric queries on a few reader threads (reader-thread.ts), each with its
 * own read-only connection. better-sqlite3 is synchronous and SQLite readers
 * in WAL mode do not block each other, so the requests of one dashboard load
 * and the families of a report run on several cores at once instead of one
 * after another on the event loop. Threads start with the first query; a
 * query goes to the thread with the fewest in flight. A thread that dies fails
 * its queries with a retryable StoreUnavailableError and is replaced on the
 * next query.
 */
export class ReaderPool {
  readonly #data: ReaderThreadData;
  readonly #threads: (ReaderThread | undefined)[];
  #nextId = 1;
  #closed = false;

  constructor(path: string, threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`a reader pool needs at least one thread, got ${threads}`);
    this.#data = { path };
    this.#threads = Array.from({ length: threads }, () => undefined);
  }

  /**
   * A MetricsSource whose every query runs `beforeRead` here first (the
   * store's catch-up fold, so that the reader's snapshot holds every stored
   * event), then on a reader thread.
   */
  metrics(beforeRead: () => void): MetricsSource {
    const source: Partial<Record<MetricsMethod, (...args: unknown[]) => Promise<unknown>>> = {};
    for (const method of metricsMethods) {
      source[method] = async (...args) => {
        beforeRead();
        return this.call(method, args);
      };
    }
    return source as unknown as MetricsSource;
  }

  call(method: MetricsMethod, args: readonly unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the store is closed (the collector is shutting down); retry shortly'));
    const thread = this.#leastBusy();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      thread.waiting.set(id, { resolve, reject });
      // Referenced only while a query is in flight: idle readers never keep the process alive.
      if (thread.waiting.size === 1) thread.worker.ref();
      thread.worker.postMessage({ id, method, args: transferArgs(args) } satisfies ReaderRequest);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const threads = this.#threads.splice(0).filter((thread) => thread !== undefined);
    const closed = new StoreUnavailableError('the store is closed (the collector is shutting down); retry shortly');
    for (const thread of threads) for (const waiting of thread.waiting.values()) waiting.reject(closed);
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  /** The thread with the fewest queries in flight; a slot not started yet counts as idle, and the first idle one wins. */
  #leastBusy(): ReaderThread {
    let chosen = 0;
    let fewest = Infinity;
    for (let index = 0; index < this.#threads.length && fewest > 0; index += 1) {
      const inFlight = this.#threads[index]?.waiting.size ?? 0;
      if (inFlight < fewest) {
        chosen = index;
        fewest = inFlight;
      }
    }
    return (this.#threads[chosen] ??= this.#start(chosen));
  }

  #start(slot: number): ReaderThread {
    const worker = startWorkerModule(new URL(`./reader-thread${moduleExtension()}`, import.meta.url), this.#data);
    worker.unref();
    const thread: ReaderThread = { worker, waiting: new Map() };
    worker.on('message', (reply: ReaderReply) => {
      const waiting = thread.waiting.get(reply.id);
      if (waiting === undefined) return;
      thread.waiting.delete(reply.id);
      if (thread.waiting.size === 0) worker.unref();
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(receiveReadError(reply.error));
    });
    worker.on('error', (error) => this.#stopped(slot, thread, error));
    worker.on('exit', (code) => this.#stopped(slot, thread, new Error(`a reader thread exited with code ${code}`)));
    return thread;
  }

  #stopped(slot: number, thread: ReaderThread, cause: unknown): void {
    if (this.#threads[slot] === thread) this.#threads[slot] = undefined;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new StoreUnavailableError(`a database reader stopped (${reason}); retry shortly`, { cause });
    for (const waiting of thread.waiting.values()) waiting.reject(error);
    thread.waiting.clear();
  }
}
