import type Database from 'better-sqlite3';
import { QUARTERS_PER_WEEK, unitPieces, wholeUnits, type UnitPiece } from './day-pieces.js';
import { readFloat64Values, writeFloat64Values } from './metrics/float64-values.js';
import { USER_COST_WEEK_TABLES } from './migrations/020-user-cost-week-lists.js';
import { readUserCosts, USER_COST_LISTS, type UserCosts } from './user-cost-lists.js';
import { UserCostSums } from './user-cost-sums.js';

/**
 * Weeks rewritten per call at most, whatever the caller's budget: a week of
 * the 10M-event bench file reads 51,000–109,000 quarter entries and writes
 * 19,000–49,000, 25–45 ms on the event loop (2026-12-02), as long as a fold
 * batch; the budget's 50 quarter lists take a few ms. Past weeks change
 * rarely (late events, relabels, erasure, retention), and an upgraded
 * database's 12 past weeks of 90 days take 0.4 s in all, one per turn.
 */
const WEEKS_PER_REFRESH = 1;

/** The condition on `quarter` that keeps the quarters of week `@week` (from the epoch on: no negative quarter). */
const QUARTERS_OF_WEEK = `quarter >= @week * ${QUARTERS_PER_WEEK} AND quarter < (@week + 1) * ${QUARTERS_PER_WEEK}`;

/**
 * Rewrites the per-user cost lists of stale weeks (migration 020) from their
 * quarter lists, on the background fold's connection, oldest first, a few
 * per call. A week is rewritten only once none of its quarters is stale
 * (their lists are the rollup's rows then), and the latest week, the one of
 * the newest rollup row, is left stale: ingest changes it all week, and a
 * reader takes it from the quarter lists. Each user's sums over the week, in
 * ordinal order; costs with TOTAL()'s compensation (user-cost-sums.ts).
 */
export class UserCostWeekWriter {
  readonly #staleWeeks: Database.Statement;
  readonly #quarterLists: Database.Statement;
  readonly #maxOrdinal: Database.Statement;
  readonly #writeList: Database.Statement;
  readonly #deleteList: Database.Statement;
  readonly #unmarkStale: Database.Statement;

  constructor(db: Database.Database) {
    const { lists, stale } = USER_COST_WEEK_TABLES;
    // With no rollup row left, no week is the latest: every stale one may be rewritten (to no list).
    this.#staleWeeks = db
      .prepare(
        `SELECT w.week FROM ${stale} w
          WHERE w.week < COALESCE((SELECT MAX(quarter) FROM user_cost_rollup) / ${QUARTERS_PER_WEEK}, w.week + 1)
            AND NOT EXISTS (SELECT 1 FROM ${USER_COST_LISTS.stale} WHERE quarter >= w.week * ${QUARTERS_PER_WEEK} AND quarter < (w.week + 1) * ${QUARTERS_PER_WEEK})
          ORDER BY w.week LIMIT ?`,
      )
      .pluck();
    this.#quarterLists = db.prepare(`SELECT entries FROM ${USER_COST_LISTS.lists} WHERE ${QUARTERS_OF_WEEK} ORDER BY quarter`).pluck();
    this.#maxOrdinal = db.prepare('SELECT MAX(ordinal) FROM user_ordinals').pluck();
    this.#writeList = db.prepare(`INSERT OR REPLACE INTO ${lists} (week, entries) VALUES (?, ?)`);
    this.#deleteList = db.prepare(`DELETE FROM ${lists} WHERE week = ?`);
    this.#unmarkStale = db.prepare(`DELETE FROM ${stale} WHERE week = ?`);
  }

  /** Rewrites the lists of up to `limit` stale weeks (at most WEEKS_PER_REFRESH); returns how many. Call inside a write transaction. */
  refresh(limit: number): number {
    const weeks = this.#staleWeeks.all(Math.min(limit, WEEKS_PER_REFRESH)) as number[];
    for (const week of weeks) {
      const users = new UserCostSums((this.#maxOrdinal.get() as number | null) ?? 0);
      for (const list of this.#quarterLists.all({ week }) as Buffer[]) users.addEntries(readFloat64Values(list));
      this.#unmarkStale.run(week);
      if (users.users === 0) this.#deleteList.run(week);
      else this.#writeList.run(week, writeFloat64Values(users.entries()));
    }
    return weeks.length;
  }
}

/**
 * Quarters [q0, q1) as runs: the whole weeks whose list answers (the week
 * not stale, nor any of its quarters), and quarter-hours around and between
 * them.
 */
function weekPieces(db: Database.Database, q0: number, q1: number): UnitPiece[] {
  const { first, end } = wholeUnits(q0, q1, QUARTERS_PER_WEEK);
  const staleWeeks = db
    .prepare(
      `SELECT week FROM ${USER_COST_WEEK_TABLES.stale} WHERE week >= @first AND week < @end
       UNION
       SELECT quarter / ${QUARTERS_PER_WEEK} FROM ${USER_COST_LISTS.stale}
        WHERE quarter >= @first * ${QUARTERS_PER_WEEK} AND quarter < @end * ${QUARTERS_PER_WEEK}`,
    )
    .pluck()
    .all({ first, end }) as number[];
  return unitPieces(q0, q1, QUARTERS_PER_WEEK, new Set(staleWeeks));
}

/**
 * The ordinary per-user cost entries of quarters [q0, q1): fresh whole weeks
 * from their week lists, everything else (the edge days and quarter-hours of
 * a range, stale weeks) as readUserCosts reads it. At 10M bench events, 90
 * days are 516,874 entries this way, 1,133,967 from quarter lists alone
 * (2026-12-02). Call inside the reader's transaction, so that a list
 * rewritten meanwhile is counted exactly once.
 */
export function readUserCostsByWeek(db: Database.Database, q0: number, q1: number): UserCosts {
  const weekLists = db.prepare(`SELECT entries FROM ${USER_COST_WEEK_TABLES.lists} WHERE week >= ? AND week < ? ORDER BY week`).pluck();
  const costs: UserCosts = { lists: [], stale: [], maxOrdinal: 0 };
  for (const piece of weekPieces(db, q0, q1)) {
    if (piece.from === 'units') {
      for (const list of weekLists.all(piece.start, piece.end) as Buffer[]) costs.lists.push(readFloat64Values(list));
    } else {
      // A loop, not push(...): an upgraded database's stale quarters hold a million rows, too many arguments for one call.
      const quarters = readUserCosts(db, piece.q0, piece.q1);
      for (const list of quarters.lists) costs.lists.push(list);
      for (const row of quarters.stale) costs.stale.push(row);
    }
  }
  costs.maxOrdinal = (db.prepare('SELECT MAX(ordinal) FROM user_ordinals').pluck().get() as number | null) ?? 0;
  return costs;
}
