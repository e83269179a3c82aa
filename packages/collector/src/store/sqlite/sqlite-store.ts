import Database from 'better-sqlite3';
import { availableParallelism } from 'node:os';
import type {
  ClassificationOutcome,
  ClassificationUsage,
  QueuedPrompt,
} from '../../classification/classification-queue.js';
import type { ErasureOutcome } from '../data-lifecycle.js';
import type { EventRecord, InsertOutcome } from '../event-record.js';
import type { ExportedEvent, ExportRange } from '../event-export.js';
import type { Store } from '../store.js';
import type { MetricsSource } from '../../metrics/metrics-source.js';
import { prepareClassificationStatements, type ClassificationStatements } from './classification-statements.js';
import { toEventId } from './event-ids.js';
import { exportEventPages } from './export-queries.js';
import { prepareLifecycleStatements, type LifecycleStatements } from './lifecycle-statements.js';
import { SqliteMetrics } from './metrics/sqlite-metrics.js';
import { openDatabase } from './open-database.js';
import { ReaderPool } from './reader-pool.js';
import { RollupMaterializer, type RollupMaterializerOptions } from './rollup-materializer.js';
import { InlineWriter, type StoreWriter } from './store-writer.js';
import { WriterThread } from './writer-thread-client.js';
import { toStoreWriteError } from './sqlite-errors.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { prepareStatements, type Statements } from './statements.js';

export interface SqliteStoreOptions {
  /** File path, or `:memory:` for throwaway stores in tests. */
  path: string;
  readonly?: boolean;
  /**
   * The rollups' materializer (rollup-materializer.ts); `background: false`
   * leaves folding to catchUp(), as before every metric read, erasure and retention.
   */
  rollups?: RollupMaterializerOptions & { background?: boolean };
  /**
   * Where event writes run (store-writer.ts): `thread` (the default for a
   * file) gives them and the background fold a writer thread with its own
   * connections (writer-thread.ts), so the event loop only parses and answers
   * requests; `inline` runs them on this connection (always for `:memory:`,
   * which another connection cannot open, and for a read-only store).
   */
  writer?: 'thread' | 'inline';
  /**
   * Reader threads for metric queries (reader-pool.ts), each with its own
   * read-only connection, so that concurrent queries use several cores and
   * none holds up the event loop. Default: one per core, at most
   * DEFAULT_MAX_READERS; 0 answers queries on this connection (always for
   * `:memory:`, which another connection cannot open).
   */
  readers?: number;
}

/** Readers beyond a few add connections and page caches, not speed: a dashboard load sends about twenty queries at once. */
const DEFAULT_MAX_READERS = 4;

/**
 * The embedded store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so a group of batches is one `db.transaction()` with no await
 * inside; a batch has committed (and, with synchronous=FULL, reached the
 * disk) when `insertEvents` resolves. The request transaction appends events
 * and does no rollup work: `rollups` folds them into the rollups in the
 * background, and in full before any metric reads them.
 *
 * Ingest's and the classifier's writes go through `#writer` (store-writer.ts:
 * the writer thread for a file); reads, the catch-up fold before them,
 * erasure and retention use this connection.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly metrics: MetricsSource;
  /** Null on a read-only store, which cannot write the rollups. */
  readonly rollups: RollupMaterializer | null;
  readonly #statements: Statements;
  readonly #classification: ClassificationStatements;
  readonly #lifecycle: LifecycleStatements;
  readonly #writer: StoreWriter;
  readonly #readers: ReaderPool | null;
  #closed = false;

  /**
   * Opens the store and waits until it can write: the writer thread has
   * started and opened the file, so that a collector listens only once it
   * can store what it acknowledges, and a file the thread cannot open fails
   * the start rather than the first request.
   */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const store = new SqliteStore(options);
    try {
      await store.#writer.flush();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    return store;
  }

  constructor(options: SqliteStoreOptions) {
    const readonly = options.readonly ?? false;
    this.db = openDatabase(options.path, readonly);
    this.#statements = prepareStatements(this.db);
    this.#classification = prepareClassificationStatements(this.db);
    this.rollups = readonly ? null : new RollupMaterializer(this.db, options.rollups);
    const rollups = this.rollups;
    this.#lifecycle = prepareLifecycleStatements(this.db, () => rollups?.catchUp());
    const catchUp = (): void => {
      try {
        rollups?.catchUp();
      } catch (error) {
        // A full disk or a lock held elsewhere: a retryable 503 for the reader, not a 500.
        throw toStoreWriteError(error);
      }
    };
    const readers = isMemoryPath(options.path) ? 0 : (options.readers ?? Math.min(DEFAULT_MAX_READERS, availableParallelism()));
    this.#readers = readers > 0 ? new ReaderPool(options.path, readers) : null;
    this.metrics = this.#readers?.metrics(catchUp) ?? new SqliteMetrics(this.db, catchUp);
    const writeOnThread = (options.writer ?? 'thread') === 'thread' && !readonly && !isMemoryPath(options.path);
    const background = options.rollups?.background !== false;
    this.#writer = writeOnThread
      ? new WriterThread({ path: options.path, rollups: { ...options.rollups, background } })
      : new InlineWriter(this.db);
    // On a writer thread the thread folds in the background; this connection only catches up before reads.
    if (background && !writeOnThread) this.rollups?.start();
  }

  async nextPromptsToClassify(limit: number): Promise<QueuedPrompt[]> {
    const rows = this.#classification.nextQueued.all(limit) as (Omit<QueuedPrompt, 'eventId'> & { eventId: number })[];
    return rows.map((row) => ({ ...row, eventId: toEventId(row.eventId) }));
  }

  async recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void> {
    await this.#writer.recordClassifications(outcomes, usage);
  }

  async quarantinePrompt(eventId: string): Promise<void> {
    await this.#writer.quarantinePrompt(eventId);
  }

  async oldestQueuedPromptId(): Promise<string | null> {
    const row = this.#classification.oldestQueued.get() as { eventId: number } | undefined;
    return row === undefined ? null : toEventId(row.eventId);
  }

  async queuedPromptCount(): Promise<number> {
    return (this.#classification.countQueued.get() as { count: number }).count;
  }

  async oldestQueuedPromptAt(): Promise<number | null> {
    return (this.#classification.oldestQueuedAt.get() as { at: number | null }).at;
  }

  async classifierCostOn(day: string, classifier: string): Promise<number> {
    return (this.#classification.costOnDay.get(day, classifier) as { cost: number }).cost;
  }

  async purgeErasedText(): Promise<void> {
    // On the writer thread: the checkpoint waits for the lock, which must not stall this event loop.
    await this.#writer.checkpoint();
  }

  async eraseUser(userId: string): Promise<ErasureOutcome> {
    // Events submitted before the request are the user's too: commit them first so they are erased with the rest.
    await this.#writer.flush();
    let outcome: ErasureOutcome;
    try {
      outcome = this.#lifecycle.eraseUser(userId);
    } catch (error) {
      throw toStoreWriteError(error);
    }
    // The WAL's older frames still hold the erased bytes (event-writer.ts purgeLog).
    await this.#writer.checkpoint();
    return outcome;
  }

  async deleteEventsBefore(cutoffMs: number, limit: number): Promise<number> {
    // Writes submitted before this batch commit first: between two batches of a long sweep ingest gets the
    // lock, where the writer thread's busy wait alone would lose every race to this thread's next batch.
    await this.#writer.flush();
    try {
      return this.#lifecycle.deleteEventsBefore(cutoffMs, limit);
    } catch (error) {
      throw toStoreWriteError(error);
    }
  }

  async insertEvents(events: readonly EventRecord[]): Promise<InsertOutcome> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    // An app still serving after its store closed (an embedding that closes in the wrong order): retryable, not a crash.
    if (this.#closed) throw new StoreUnavailableError('the store is closed (the collector is shutting down); retry shortly');
    try {
      return await this.#writer.insert(events);
    } catch (error) {
      throw toStoreWriteError(error);
    }
  }

  exportEvents(range: ExportRange): AsyncIterable<ExportedEvent[]> {
    return exportEventPages(this.db, range);
  }

  async checkWritable(): Promise<void> {
    try {
      this.#statements.setSetting.run('readiness_probe', new Date().toISOString());
    } catch (error) {
      throw toStoreWriteError(error);
    }
  }

  async hasEvents(): Promise<boolean> {
    return this.#statements.anyEvent.get() !== undefined;
  }

  async getSetting(name: string): Promise<string | null> {
    const row = this.#statements.getSetting.get(name) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async setSetting(name: string, value: string): Promise<void> {
    this.#statements.setSetting.run(name, value);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#readers?.close();
    await this.#writer.close();
    this.rollups?.stop();
    try {
      // A copied or backed-up file then holds current rollups.
      this.rollups?.catchUp();
    } catch {
      // Closing must not fail on it (a full disk): the next open folds what is left.
    }
    // Fold the WAL back into the main file so a copied .db is complete.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

}

/** SQLite's names for a private in-memory database, which only the connection that made it can see. */
function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '' || path.startsWith('file::memory:');
}
