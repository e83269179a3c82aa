import type Database from 'better-sqlite3';
import { createBatchFold, perEventFoldSql } from './batch-fold.js';
import { activityStepsWriter } from './activity-steps.js';
import { activityUsersWriter } from './activity-users.js';
import { BINARY_VALUE_LISTS } from './migrations/010-binary-value-lists.js';
import { CONVERSATION_LISTS, type ListRefresher, quarterListWriter, SESSION_LISTS } from './quarter-lists.js';
import { dayPackWriters } from './quarter-list-days.js';
import { ResponseDayWriter } from './response-day-rollup.js';
import { sdkHealthListsWriter } from './sdk-health-lists.js';
import { sessionDayWriter } from './session-days.js';
import { userCostListsWriter } from './user-cost-lists.js';
import { userCostWeekWriter } from './user-cost-week-lists.js';
import { ValueListDayWriter } from './value-list-days.js';

export interface RollupMaterializerOptions {
  /**
   * Events folded per transaction. The fold runs on the event loop: at 20–70
   * µs per event (measured 2026-12-01: bench build and ingest run), 500 events
   * block it for 10–35 ms, short enough for requests waiting behind a batch,
   * long enough that the commit's fsync is paid once per hundreds of events.
   */
  batchSize?: number;
  /**
   * How long the background fold waits before looking again when it found
   * less than a batch: a quiet collector's rollups are current within this
   * delay, without a query on the file every turn of the event loop.
   */
  idleMs?: number;
  /**
   * Commit the fold's transactions with synchronous=NORMAL (no wait for the
   * disk) on a connection whose own setting is stricter: a fold lost to a
   * power cut is redone from the watermark, which is lost with it, and the
   * next request commit's fsync covers the fold's pages in the write-ahead
   * log, which sit before its own. The writer thread folds on its request
   * connection (writer-thread.ts), whose commits stay FULL.
   */
  relaxedCommits?: boolean;
}

/** See RollupMaterializerOptions. */
const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_IDLE_MS = 250;
/** A caller of catchUp() waits for the whole tail anyway: fewer, larger transactions pay fewer commits. */
const CATCH_UP_BATCH_SIZE = 10_000;
/**
 * Stale lists rewritten per background turn: at 10M events a quarter holds
 * ~150 sessions and as many conversations, so 50 quarters read ~7,500 rollup
 * rows (a few ms); under ingest only the current quarter or two go stale per
 * fold batch, and a day's value lists and response sums once a day (a day of
 * response sums takes ~3 ms to rewrite at 10M events).
 */
const LISTS_PER_TURN = 50;

/**
 * Maintains the rollup tables off the request path (migration 009): folds the
 * events stored after the watermark into the rollups, in id order, through
 * the INSTEAD OF INSERT triggers of `events_to_fold` and the batch
 * aggregation of batch-fold.ts, and moves the watermark in the same transaction,
 * so that a crash neither loses nor double-counts an event. In the background it folds one batch per turn of the event loop;
 * `catchUp()` folds the rest at once, before anything reads the rollups. When the background fold finds no full batch,
 * it rewrites stale lists (`refreshLists`), which only make reads faster.
 */
export class RollupMaterializer {
  readonly #batchSize: number;
  readonly #idleMs: number;
  readonly #watermark: Database.Statement;
  readonly #foldBatch: (limit: number) => number;
  readonly #refreshLists: (limit: number, keepNewest: boolean) => number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  /** When the background fold last spent a turn on the lists (Date.now()). */
  #listsAt = 0;

  constructor(db: Database.Database, options: RollupMaterializerOptions = {}) {
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.#idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.#watermark = db.prepare('SELECT folded_through FROM rollup_watermark').pluck();
    const nextBatch = db.prepare(
      'SELECT COUNT(*) AS events, MAX(id) AS through FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?)',
    );
    const fold = db.prepare(perEventFoldSql(db));
    const batchFold = createBatchFold(db);
    const moveWatermark = db.prepare('UPDATE rollup_watermark SET folded_through = ?');
    const relaxed = options.relaxedCommits === true ? relaxedCommits(db) : <T>(run: () => T): T => run();
    const foldBatch = db.transaction((limit: number): number => {
      const after = this.#watermark.get() as number;
      const batch = nextBatch.get(after, limit) as { events: number; through: number | null };
      if (batch.through === null) return 0;
      const range = { after, through: batch.through };
      fold.run(range);
      batchFold(range);
      moveWatermark.run(batch.through);
      return batch.events;
    });
    // IMMEDIATE: the write lock is taken (or waited for, busy_timeout) before the watermark is read, so that two
    // processes folding the same file take turns instead of one failing when it upgrades its read to a write.
    this.#foldBatch = (limit) => relaxed(() => foldBatch.immediate(limit));
    // Prepared on first use: the fold of a database at an earlier migration (the migration tests) has no lists yet.
    let refreshLists: Database.Transaction<(limit: number, keepNewest: boolean) => number> | undefined;
    this.#refreshLists = (limit, keepNewest) => {
      if (refreshLists === undefined) {
        const writers: ListRefresher[] = [
          ...[SESSION_LISTS, CONVERSATION_LISTS].map((kind) => quarterListWriter(db, kind)),
          activityStepsWriter(db),
          activityUsersWriter(db),
          sdkHealthListsWriter(db),
          userCostListsWriter(db),
          // After the quarter lists: a day or week is rewritten from them once they are all fresh.
          sessionDayWriter(db),
          ...dayPackWriters(db),
          userCostWeekWriter(db),
          ...BINARY_VALUE_LISTS.map((list) => new ValueListDayWriter(db, list)),
          new ResponseDayWriter(db),
        ];
        refreshLists = db.transaction((max: number, keep: boolean) =>
          writers.reduce((refreshed, writer) => refreshed + writer.refresh(max - refreshed, keep), 0),
        );
      }
      const transaction = refreshLists;
      return relaxed(() => transaction.immediate(limit, keepNewest));
    };
  }

  /** The last events id whose effect is in the rollups. */
  foldedThrough(): number {
    return this.#watermark.get() as number;
  }

  /** Folds the next `limit` events (one transaction); returns how many it folded, 0 when none was left. */
  foldBatch(limit: number = this.#batchSize): number {
    return this.#foldBatch(limit);
  }

  /** Folds every event stored so far, so that the rollups answer exactly; returns how many it folded. */
  catchUp(): number {
    let folded = 0;
    const batchSize = Math.max(this.#batchSize, CATCH_UP_BATCH_SIZE);
    for (let batch = this.foldBatch(batchSize); batch > 0; batch = this.foldBatch(batchSize)) folded += batch;
    return folded;
  }

  /**
   * Rewrites up to `limit` stale lists in one transaction: quarter lists
   * (migrations 014 and 018, quarter-lists.ts), then per-user cost lists per
   * week (migration 020, user-cost-week-lists.ts), then value lists per day
   * (migration 016, value-list-days.ts), then response sums per day
   * (migration 019, response-day-rollup.ts); returns how many. Not part of
   * catchUp(): a query reads stale quarters, weeks and days from the rollups
   * or quarter lists themselves, so lists only make it faster. As the
   * background fold's turn, it leaves each kind's newest quarter stale
   * (StaleListWriter: ingest keeps changing it).
   */
  refreshLists(limit: number = LISTS_PER_TURN): number {
    return this.#refreshLists(limit, true);
  }

  /**
   * Rewrites every stale list, the newest quarters' too (except the latest
   * day's value lists and response sums and the latest week's cost lists,
   * which wait for a later day or week); returns how many.
   */
  refreshAllLists(): number {
    let refreshed = 0;
    let turn: number;
    do {
      turn = this.#refreshLists(LISTS_PER_TURN, false);
      refreshed += turn;
    } while (turn > 0);
    return refreshed;
  }

  /** Starts folding in the background; safe to call twice. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops the background fold; what is left stays for `catchUp()` or the next start. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    // unref: a store that is not closed must not keep the process alive for its fold.
    this.#timer = setTimeout(() => this.#tick(), delayMs).unref();
  }

  #tick(): void {
    if (!this.#running) return;
    let folded = 0;
    let refreshed = 0;
    try {
      folded = this.foldBatch();
      const now = Date.now();
      if (listTurnDue({ folded, batchSize: this.#batchSize, sinceListsMs: now - this.#listsAt, idleMs: this.#idleMs })) {
        refreshed = this.refreshLists();
        this.#listsAt = now;
      }
    } catch {
      // A locked or full database: the events stay after the watermark and are
      // folded on a later turn; catchUp() reports the error to a reader.
    }
    // A full batch means more is waiting: yield to the event loop, then go on.
    const more = folded === this.#batchSize || refreshed === LISTS_PER_TURN;
    this.#schedule(more ? 0 : this.#idleMs);
  }
}

/**
 * Whether the background fold spends this turn on the lists, after folding
 * `folded` events. Never while a full batch says more events are waiting: a
 * list rewritten mid-backlog would go stale again at once. On a quiet turn
 * (nothing folded), always. While events keep coming, at most once per
 * `idleMs`: each fold batch marks its quarters stale again, and a turn
 * rewrites up to LISTS_PER_TURN of them from their rollups, which costs more
 * the more a quarter holds. Ingesting replayed demo traffic into a 10M-event
 * file, list turns after every batch took about 40% of the writer thread's
 * samples (the encoding of the quarter lists alone 24%), and ingest ran 7,145 /
 * 7,320 events/s (p99 164 / 172 ms) against 9,460 / 9,265 (161 / 153 ms) with
 * this rule (alternate runs, 2026-12-04); into a new file 11,125 / 10,590
 * against 11,320 / 11,515, p99 91 / 96 against 91 / 97 ms.
 */
export function listTurnDue(turn: { folded: number; batchSize: number; sinceListsMs: number; idleMs: number }): boolean {
  if (turn.folded >= turn.batchSize) return false;
  return turn.folded === 0 || turn.sinceListsMs >= turn.idleMs;
}

/**
 * Runs a transaction with synchronous=NORMAL, then restores the connection's
 * own setting, read once here. SQLite refuses to change it inside a
 * transaction: a fold nested in a caller's transaction commits with it, as
 * that transaction's setting says.
 */
function relaxedCommits(db: Database.Database): <T>(run: () => T) => T {
  const own = db.pragma('synchronous', { simple: true }) as number;
  return (run) => {
    if (db.inTransaction) return run();
    db.pragma('synchronous = NORMAL');
    try {
      return run();
    } finally {
      db.pragma(`synchronous = ${own}`);
    }
  };
}
