import type Database from 'better-sqlite3';
import { CompactValuesWriter, readCompactLists } from './compact-values.js';
import { parseNumberList } from './metrics/number-lists.js';
import { dayPackTablesOf } from './migrations/022-quarter-list-days.js';
import { type ListTables, listsInRange, StaleListWriter } from './quarter-lists.js';

/** Migration 014's lists of the `user_activity` chains: per quarter, each distinct step and the users taking it. */
const ACTIVITY_STEPS: ListTables = { lists: 'activity_steps', stale: 'activity_steps_stale', dayPacks: dayPackTablesOf('activity_steps') };
/** The step of a user with no later active quarter. */
export const NO_NEXT_QUARTER = 0;

/**
 * A quarter's ordinary activity rows as (step, users) pairs, `step` being
 * `next_quarter - quarter` or NO_NEXT_QUARTER: all DAU/WAU/MAU read of them.
 */
export interface QuarterSteps {
  quarter: number;
  /** step, users, step, users, … */
  pairs: ArrayLike<number>;
}

/** The writer of the activity lists (rollup-materializer.ts runs it with the other stale lists). */
export function activityStepsWriter(db: Database.Database): StaleListWriter {
  const steps = db
    .prepare(
      `SELECT COALESCE(next_quarter - quarter, ${NO_NEXT_QUARTER}) AS step, COUNT(*)
         FROM user_activity WHERE quarter = ? AND debug = 0 GROUP BY step`,
    )
    .raw();
  return new StaleListWriter(db, ACTIVITY_STEPS, (quarter) => {
    const rows = steps.all(quarter) as [step: number, users: number][];
    if (rows.length === 0) return null;
    const list = new CompactValuesWriter(2);
    for (const [step, users] of rows) {
      list.add(step);
      list.add(users);
    }
    return list.bytes();
  });
}

/**
 * The steps of the ordinary activity in quarters [q0, q1): from the lists,
 * and for stale quarters from `user_activity` itself. One read transaction,
 * so that a list rewritten meanwhile is counted exactly once.
 */
export function readActivitySteps(db: Database.Database, q0: number, q1: number): QuarterSteps[] {
  return db.transaction((): QuarterSteps[] => {
    const { lists, stale: staleQuarters } = listsInRange(db, ACTIVITY_STEPS, q0, q1);
    // The stale quarters' chain steps, grouped per quarter by SQLite (one text list each).
    const stale = db
      .prepare(
        `SELECT quarter, CAST(group_concat(next_quarter - quarter) AS BLOB) AS steps, COUNT(*) - COUNT(next_quarter) AS lasts
           FROM user_activity
          WHERE quarter IN (SELECT value FROM json_each(?)) AND debug = 0
          GROUP BY quarter`,
      )
      .all(JSON.stringify(staleQuarters)) as { quarter: number; steps: Buffer | null; lasts: number }[];
    const pairs = readCompactLists(lists.map(([, entries]) => entries));
    return [
      ...lists.map(([quarter], index) => ({ quarter, pairs: pairs[index] as Float64Array })),
      ...stale.map(({ quarter, steps, lasts }) => ({ quarter, pairs: pairsOf(steps, lasts) })),
    ];
  })();
}

/** A stale quarter's steps as pairs of one user each, and its users with no next quarter as one pair. */
function pairsOf(steps: Buffer | null, lasts: number): number[] {
  const pairs = lasts > 0 ? [NO_NEXT_QUARTER, lasts] : [];
  if (steps !== null) for (const step of parseNumberList(steps)) pairs.push(step, 1);
  return pairs;
}
