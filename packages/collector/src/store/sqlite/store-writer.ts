import type Database from 'better-sqlite3';
import type { ClassificationOutcome, ClassificationUsage } from '../../classification/classification-queue.js';
import type { EventRecord, InsertOutcome } from '../event-record.js';
import { createGroupCommit, type GroupCommit } from '../group-commit.js';
import { EventWriter } from './event-writer.js';
import { serializeEvent, type SerializedEvent } from './serialized-event.js';

/**
 * Where a SQLite store's event writes run (the request transactions, the
 * classifier's write-backs, the WAL purge): on the store's own connection
 * (`InlineWriter`) or on a writer thread with its own connection to the same
 * file (writer-thread-client.ts), the one connection that then writes events.
 */
export interface StoreWriter {
  /** Resolves once the transaction holding these events has committed. */
  insert(events: readonly EventRecord[]): Promise<InsertOutcome>;
  /** The classifier's verdicts (event-writer.ts). */
  recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void>;
  /** A prompt the classifier cannot process (event-writer.ts). */
  quarantinePrompt(eventId: string): Promise<void>;
  /** Empties the write-ahead log (event-writer.ts `purgeLog`). */
  checkpoint(): Promise<void>;
  /** Resolves once everything submitted before the call has committed. */
  flush(): Promise<void>;
  /** Commits what is waiting and releases the writer. */
  close(): Promise<void>;
}

/** Group commit (group-commit.ts) over one connection, on the calling thread. */
export class InlineWriter implements StoreWriter {
  readonly #writer: EventWriter;
  readonly #commits: GroupCommit<SerializedEvent, InsertOutcome>;

  constructor(db: Database.Database) {
    const writer = new EventWriter(db);
    this.#writer = writer;
    this.#commits = createGroupCommit({ commit: (submissions) => writer.insertGroup(submissions) });
  }

  insert(events: readonly EventRecord[]): Promise<InsertOutcome> {
    return this.insertSerialized(events.map(serializeEvent));
  }

  /** The writer thread's entry: events serialised on the thread that received them. */
  insertSerialized(events: readonly SerializedEvent[]): Promise<InsertOutcome> {
    return this.#commits.submit(events);
  }

  async recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void> {
    this.#writer.recordClassifications(outcomes, usage);
  }

  async quarantinePrompt(eventId: string): Promise<void> {
    this.#writer.quarantine(eventId);
  }

  async checkpoint(): Promise<void> {
    this.#commits.flushAll();
    this.#writer.purgeLog();
  }

  async flush(): Promise<void> {
    this.#commits.flushAll();
  }

  async close(): Promise<void> {
    this.#commits.flushAll();
  }
}
