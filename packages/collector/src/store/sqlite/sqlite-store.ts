import Database from 'better-sqlite3';
import type {
  ClassificationOutcome,
  ClassificationUsage,
  QueuedPrompt,
} from '../../classification/classification-queue.js';
import type { ErasureOutcome } from '../data-lifecycle.js';
import type { EventRecord, InsertOutcome } from '../event-record.js';
import type { ExportedEvent, ExportRange } from '../event-export.js';
import type { Store } from '../store.js';
import { prepareClassificationStatements, type ClassificationStatements } from './classification-statements.js';
import { toEventId, toRowId } from './event-ids.js';
import { exportEventPages } from './export-queries.js';
import { prepareLifecycleStatements, type LifecycleStatements } from './lifecycle-statements.js';
import { SqliteMetrics } from './metrics/sqlite-metrics.js';
import { openDatabase } from './open-database.js';
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
   * Where request transactions run: `thread` (the default for a file) gives
   * them and the background fold a writer thread with its own connection
   * (writer-thread.ts), so the event loop only parses and answers requests;
   * `inline` runs them on this connection (always for `:memory:`, which
   * another connection cannot open, and for a read-only store).
   */
  writer?: 'thread' | 'inline';
}

/**
 * The embedded store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so a group of batches is one `db.transaction()` with no await
 * inside; a batch has committed (and, with synchronous=FULL, reached the
 * disk) when `insertEvents` resolves. The request transaction appends events
 * and does no rollup work: `rollups` folds them into the rollups in the
 * background, and in full before any metric reads them.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly metrics: SqliteMetrics;
  /** Null on a read-only store, which cannot write the rollups. */
  readonly rollups: RollupMaterializer | null;
  readonly #statements: Statements;
  readonly #classification: ClassificationStatements;
  readonly #lifecycle: LifecycleStatements;
  readonly #recordClassifications: (outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage) => void;
  readonly #writer: StoreWriter;
  readonly #quarantine: (rowId: number) => void;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    const readonly = options.readonly ?? false;
    this.db = openDatabase(options.path, readonly);
    this.#statements = prepareStatements(this.db);
    this.#classification = prepareClassificationStatements(this.db);
    this.rollups = readonly ? null : new RollupMaterializer(this.db, options.rollups);
    const rollups = this.rollups;
    this.#lifecycle = prepareLifecycleStatements(this.db, () => rollups?.catchUp());
    this.metrics = new SqliteMetrics(this.db, () => {
      try {
        rollups?.catchUp();
      } catch (error) {
        // A full disk or a lock held elsewhere: a retryable 503 for the reader, not a 500.
        throw toStoreWriteError(error);
      }
    });
    const writeOnThread = (options.writer ?? 'thread') === 'thread' && !readonly && !isMemoryPath(options.path);
    const background = options.rollups?.background !== false;
    this.#writer = writeOnThread
      ? new WriterThread({ path: options.path, rollups: { ...options.rollups, background } })
      : new InlineWriter(this.db);
    // IMMEDIATE (as every write transaction here): another connection, the writer thread's, may commit between
    // a deferred transaction's first read and its first write, which fails that write instead of waiting.
    const quarantine = this.db.transaction((rowId: number) => {
      this.#classification.markClassificationError.run(rowId);
      this.#classification.dequeue.run(rowId);
    });
    this.#quarantine = (rowId) => quarantine.immediate(rowId);
    const recordClassifications = this.db.transaction(
      (outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage) => this.#recordAll(outcomes, usage),
    );
    this.#recordClassifications = (outcomes, usage) => recordClassifications.immediate(outcomes, usage);
    // On a writer thread the thread folds in the background; this connection only catches up before reads.
    if (background && !writeOnThread) this.rollups?.start();
  }

  async nextPromptsToClassify(limit: number): Promise<QueuedPrompt[]> {
    const rows = this.#classification.nextQueued.all(limit) as (Omit<QueuedPrompt, 'eventId'> & { eventId: number })[];
    return rows.map((row) => ({ ...row, eventId: toEventId(row.eventId) }));
  }

  async recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void> {
    this.#recordClassifications(outcomes, usage);
  }

  async quarantinePrompt(eventId: string): Promise<void> {
    const rowId = toRowId(eventId);
    try {
      this.#quarantine(rowId);
    } catch {
      // The event cannot even be marked: the text still goes.
      this.#classification.dequeue.run(rowId);
    }
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
    // secure_delete zeroed the rows in their pages; TRUNCATE copies those
    // pages into the main file and empties the WAL that still held the text.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
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
    // secure_delete zeroed the deleted rows in their pages; TRUNCATE copies
    // those pages into the main file and empties the WAL, whose older frames
    // still held the erased bytes.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return outcome;
  }

  async deleteEventsBefore(cutoffMs: number, limit: number): Promise<number> {
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

  #recordAll(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): void {
    const c = this.#classification;
    for (const outcome of outcomes) {
      const rowId = toRowId(outcome.eventId);
      const turn = c.setPromptIntent.get({
        eventId: rowId,
        intent: outcome.intent,
        sampled: outcome.sampled ? 1 : 0,
      }) as { conversationId: string | null; promptNumber: number | null } | undefined;
      if (turn?.conversationId != null) {
        c.propagateToTurn.run({ ...turn, intent: outcome.intent, eventId: rowId });
      }
      c.dequeue.run(rowId);
    }
    c.addUsage.run(usage);
  }
}

/** SQLite's names for a private in-memory database, which only the connection that made it can see. */
function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '' || path.startsWith('file::memory:');
}
