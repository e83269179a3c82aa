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

interface Query {
  method: MetricsMethod;
  args: readonly unknown[];
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

interface ReaderThread {
  worker: Worker;
  /** The query the thread is answering, if any: one at a time, so that a free thread takes the next one waiting. */
  answering: (Query & { id: number }) | null;
}

/**
 * Metric queries on a few reader threads (reader-thread.ts), each with its
 * own read-only connection. better-sqlite3 is synchronous and SQLite readers
 * in WAL mode do not block each other, so the requests of one dashboard load
 * and the families of a report run on several cores at once instead of one
 * after another on the event loop. Threads start with the first queries.
 * Queries wait in one line and each goes to the first thread free, so that
 * a slow query holds up only its own thread. A thread that dies fails the
 * query it was answering with a retryable StoreUnavailableError; the next
 * query starts a new one.
 */
export class ReaderPool {
  readonly #data: ReaderThreadData;
  readonly #threads: (ReaderThread | undefined)[];
  readonly #waiting: Query[] = [];
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
    if (this.#closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.#waiting.push({ method, args, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const query of this.#waiting.splice(0)) query.reject(closedError());
    const threads = this.#threads.splice(0).filter((thread) => thread !== undefined);
    for (const thread of threads) thread.answering?.reject(closedError());
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  /** Hands waiting queries to free threads, starting threads in free slots. */
  #dispatch(): void {
    for (let slot = 0; slot < this.#threads.length && this.#waiting.length > 0; slot += 1) {
      const thread = (this.#threads[slot] ??= this.#start(slot));
      if (thread.answering !== null) continue;
      const query = this.#waiting.shift() as Query;
      thread.answering = { ...query, id: this.#nextId++ };
      // Referenced only while answering: idle readers never keep the process alive.
      thread.worker.ref();
      thread.worker.postMessage({ id: thread.answering.id, method: query.method, args: transferArgs(query.args) } satisfies ReaderRequest);
    }
  }

  #start(slot: number): ReaderThread {
    const worker = startWorkerModule(new URL(`./reader-thread${moduleExtension()}`, import.meta.url), this.#data);
    worker.unref();
    const thread: ReaderThread = { worker, answering: null };
    worker.on('message', (reply: ReaderReply) => {
      const query = thread.answering;
      if (query === null || query.id !== reply.id) return;
      thread.answering = null;
      worker.unref();
      if (reply.ok) query.resolve(reply.result);
      else query.reject(receiveReadError(reply.error));
      this.#dispatch();
    });
    worker.on('error', (error) => this.#stopped(slot, thread, error));
    worker.on('exit', (code) => this.#stopped(slot, thread, new Error(`a reader thread exited with code ${code}`)));
    return thread;
  }

  #stopped(slot: number, thread: ReaderThread, cause: unknown): void {
    if (this.#threads[slot] === thread) this.#threads[slot] = undefined;
    const reason = cause instanceof Error ? cause.message : String(cause);
    thread.answering?.reject(new StoreUnavailableError(`a database reader stopped (${reason}); retry shortly`, { cause }));
    thread.answering = null;
    if (!this.#closed) this.#dispatch();
  }
}

function closedError(): StoreUnavailableError {
  return new StoreUnavailableError('the store is closed (the collector is shutting down); retry shortly');
}
