import type Database from 'better-sqlite3';
import { unitPieces, wholeUnits, type UnitPiece } from './day-pieces.js';
import { readCompactLists, writeCompactValues } from './compact-values.js';
import { USER_COST_WEEK_TABLES } from './migrations/020-user-cost-week-lists.js';
import { WEEK_UNIT } from './migrations/unit-staleness.js';
import { maxUserOrdinal } from './quarter-lists.js';
import { QuarterUnitWriter } from './quarter-unit-writer.js';
import { readUserCosts, USER_COST_LISTS, type UserCosts } from './user-cost-lists.js';
import { USER_COST_WIDTH, UserCostSums } from './user-cost-sums.js';

/**
 * Weeks rewritten per call at most, whatever the caller's budget: a week of
 * the 10M-event bench file reads 51,000–109,000 quarter entries and writes
 * 19,000–49,000, 25–45 ms on the event loop (2026-12-02), as long as a fold
 * batch; the budget's 50 quarter lists take a few ms. Past weeks change
 * rarely (late events, relabels, erasure, retention), and an upgraded
 * database's 12 past weeks of 90 days take 0.4 s in all, one per turn.
 */
const WEEKS_PER_REFRESH = 1;

/**
 * Rewrites the per-user cost lists of stale weeks (migration 020) from their
 * quarter lists (quarter-unit-writer.ts), one per call: each user's sums over
 * the week, in ordinal order; costs with TOTAL()'s compensation
 * (user-cost-sums.ts).
 */
export function userCostWeekWriter(db: Database.Database): QuarterUnitWriter {
  const { lists, stale } = USER_COST_WEEK_TABLES;
  const writeList = db.prepare(`INSERT OR REPLACE INTO ${lists} (week, entries) VALUES (?, ?)`);
  const deleteList = db.prepare(`DELETE FROM ${lists} WHERE week = ?`);
  const tables = { ...USER_COST_LISTS, unitStale: stale };
  return new QuarterUnitWriter(
    db,
    tables,
    WEEK_UNIT,
    (week, quarterLists) => {
      const users = new UserCostSums(maxUserOrdinal(db));
      for (const list of readCompactLists(quarterLists.map(([, entries]) => entries))) users.addEntries(list);
      if (users.users === 0) deleteList.run(week);
      else writeList.run(week, writeCompactValues(users.entries(), USER_COST_WIDTH));
    },
    WEEKS_PER_REFRESH,
  );
}

/** Quarters [q0, q1) as runs: the whole fresh weeks, and quarter-hours around and between them. */
function weekPieces(db: Database.Database, q0: number, q1: number): UnitPiece[] {
  const { first, end } = wholeUnits(q0, q1, WEEK_UNIT.quarters);
  const staleWeeks = db.prepare(`SELECT week FROM ${USER_COST_WEEK_TABLES.stale} WHERE week >= ? AND week < ?`).pluck().all(first, end) as number[];
  return unitPieces(q0, q1, WEEK_UNIT.quarters, new Set(staleWeeks));
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
      for (const list of readCompactLists(weekLists.all(piece.start, piece.end) as Buffer[])) costs.lists.push(list);
    } else {
      // A loop, not push(...): an upgraded database's stale quarters hold a million rows, too many arguments for one call.
      const quarters = readUserCosts(db, piece.q0, piece.q1);
      for (const list of quarters.lists) costs.lists.push(list);
      for (const row of quarters.stale) costs.stale.push(row);
    }
  }
  costs.maxOrdinal = maxUserOrdinal(db);
  return costs;
}
