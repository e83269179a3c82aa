import type { Worker } from 'node:worker_threads';
import type { ClassificationOutcome, ClassificationUsage } from '../../classification/classification-queue.js';
import type { EventRecord, InsertOutcome } from '../event-record.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { serializeEvent } from './serialized-event.js';
import { moduleExtension, startWorkerModule } from './worker-module.js';
import type { StoreWriter } from './store-writer.js';
import { receiveWriteError, type WriterReply, type WriterRequest, type WriterThreadData } from './writer-thread-protocol.js';

/** A request before it is numbered. */
type Request = WithoutId<WriterRequest>;
/** Omit distributed over a union's members. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Waiting {
  resolve(outcome: InsertOutcome | null): void;
  reject(error: unknown): void;
}

/**
 * The store's side of the writer thread (writer-thread.ts): posts each
 * submission to the thread, whose group commit writes concurrent submissions
 * in one transaction, and resolves when the thread reports the commit.
 *
 * If the thread dies (a crash in the engine, an out-of-memory), the writes it
 * had not confirmed fail with a retryable StoreUnavailableError (nothing
 * unconfirmed was acknowledged to a client) and the next write starts a new thread.
 */
export class WriterThread implements StoreWriter {
  readonly #data: WriterThreadData;
  readonly #waiting = new Map<number, Waiting>();
  #worker: Worker | undefined;
  #nextId = 1;
  #closed = false;

  constructor(data: WriterThreadData) {
    this.#data = data;
    // Started now, so that opening the file overlaps the rest of start-up rather than the first request.
    this.#worker = this.#start();
  }

  async insert(events: readonly EventRecord[]): Promise<InsertOutcome> {
    return (await this.#request({ kind: 'insert', events: events.map(serializeEvent) })) as InsertOutcome;
  }

  async recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void> {
    await this.#request({ kind: 'record-classifications', outcomes, usage });
  }

  async quarantinePrompt(eventId: string): Promise<void> {
    await this.#request({ kind: 'quarantine', eventId });
  }

  async checkpoint(): Promise<void> {
    await this.#request({ kind: 'checkpoint' });
  }

  async flush(): Promise<void> {
    await this.#request({ kind: 'flush' });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const worker = this.#worker;
    try {
      if (worker !== undefined) await this.#request({ kind: 'close' });
    } finally {
      this.#closed = true;
      this.#worker = undefined;
      await worker?.terminate();
    }
  }

  #request(request: Request): Promise<InsertOutcome | null> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the store is closed (the collector is shutting down); retry shortly'));
    const worker = (this.#worker ??= this.#start());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      // Referenced only while a write is in flight: an idle writer never keeps the process alive.
      if (this.#waiting.size === 1) worker.ref();
      worker.postMessage({ ...request, id } as WriterRequest);
    });
  }

  #start(): Worker {
    const worker = startWorkerModule(new URL(`./writer-thread${moduleExtension()}`, import.meta.url), this.#data);
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.#waiting.get(reply.id);
      if (waiting === undefined) return;
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) worker.unref();
      if (reply.ok) waiting.resolve(reply.outcome);
      else waiting.reject(receiveWriteError(reply.error));
    });
    worker.on('error', (error) => this.#stopped(worker, error));
    worker.on('exit', (code) => this.#stopped(worker, new Error(`the writer thread exited with code ${code}`)));
    return worker;
  }

  #stopped(worker: Worker, cause: unknown): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new StoreUnavailableError(`the database writer stopped (${reason}); retry shortly`, { cause });
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
  }
}
