import type Database from 'better-sqlite3';
import type { EventRecord, InsertOutcome } from '../event-record.js';
import { createGroupCommit, type GroupCommit } from '../group-commit.js';
import { EventWriter } from './event-writer.js';

/**
 * Where a SQLite store's request transactions run: on the store's own
 * connection (`InlineWriter`) or on a writer thread with its own connection
 * to the same file (writer-thread-client.ts).
 */
export interface StoreWriter {
  /** Resolves once the transaction holding these events has committed. */
  insert(events: readonly EventRecord[]): Promise<InsertOutcome>;
  /** Resolves once everything submitted before the call has committed. */
  flush(): Promise<void>;
  /** Commits what is waiting and releases the writer. */
  close(): Promise<void>;
}

/** Group commit (group-commit.ts) over one connection, on the calling thread. */
export class InlineWriter implements StoreWriter {
  readonly #commits: GroupCommit<EventRecord, InsertOutcome>;

  constructor(db: Database.Database) {
    const writer = new EventWriter(db);
    this.#commits = createGroupCommit({ commit: (submissions) => writer.insertGroup(submissions) });
  }

  insert(events: readonly EventRecord[]): Promise<InsertOutcome> {
    return this.#commits.submit(events);
  }

  async flush(): Promise<void> {
    this.#commits.flushAll();
  }

  async close(): Promise<void> {
    this.#commits.flushAll();
  }
}
