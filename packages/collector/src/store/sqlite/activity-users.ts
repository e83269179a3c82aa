import type Database from 'better-sqlite3';
import { readInt32Values } from './int32-values.js';
import { dayPackTablesOf } from './migrations/022-quarter-list-days.js';
import { type ListTables, listsInRange, maxUserOrdinal, ReaderNumbering, StaleListWriter, userNumbering } from './quarter-lists.js';

/** Migration 014's lists of the users active per quarter (ordinary traffic), and whether it is their first active quarter. */
const ACTIVITY_USERS: ListTables = { lists: 'activity_users', stale: 'activity_users_stale', dayPacks: dayPackTablesOf('activity_users') };
const ENTRY_BYTES = 4;

/** A quarter's ordinary activity rows: the user's ordinal (null when none yet), key, and 1 when no earlier row of the user exists. */
type ActivityRow = [ordinal: number | null, userKey: string, first: 0 | 1];

const QUARTER_USERS_SQL = `
  SELECT o.ordinal, a.user_key,
         NOT EXISTS (SELECT 1 FROM user_activity e WHERE e.user_key = a.user_key AND e.debug = 0 AND e.quarter < a.quarter) AS first
    FROM user_activity a LEFT JOIN user_ordinals o ON o.user_key = a.user_key
   WHERE a.quarter = ? AND a.debug = 0`;

/** An entry: ordinal × 2, plus 1 for a first active quarter (int32: up to a billion users). */
function entryOf(ordinal: number, first: 0 | 1): number {
  return ordinal * 2 + first;
}

/** The writer of the activity users lists (rollup-materializer.ts runs it with the other stale lists). */
export function activityUsersWriter(db: Database.Database): StaleListWriter {
  const quarterUsers = db.prepare(QUARTER_USERS_SQL).raw();
  const numbering = userNumbering(db);
  return new StaleListWriter(db, ACTIVITY_USERS, (quarter) => {
    const rows = quarterUsers.all(quarter) as ActivityRow[];
    if (rows.length === 0) return null;
    const numberOf = numbering();
    const list = Buffer.allocUnsafe(rows.length * ENTRY_BYTES);
    rows.forEach(([ordinal, userKey, first], index) => list.writeInt32LE(entryOf(numberOf(ordinal, userKey), first), index * ENTRY_BYTES));
    return list;
  });
}

/** The active users of one quarter as entries (ordinal × 2 + first). */
export interface QuarterUsers {
  quarter: number;
  entries: Int32Array;
}

/**
 * The active users of quarters [q0, q1) from the lists and, for stale
 * quarters, from `user_activity` itself; users with no ordinal yet get
 * numbers above every ordinal for this answer only. One read transaction,
 * so that a list rewritten meanwhile is counted exactly once. Also returns
 * the size a per-user array needs.
 */
export function readActivityUsers(db: Database.Database, q0: number, q1: number): { quarters: QuarterUsers[]; users: number } {
  return db.transaction(() => {
    const { lists, stale: staleQuarters } = listsInRange(db, ACTIVITY_USERS, q0, q1);
    const numbering = new ReaderNumbering(maxUserOrdinal(db) + 1);
    const quarterUsers = db.prepare(QUARTER_USERS_SQL).raw();
    const quarters = lists.map(([quarter, entries]) => ({ quarter, entries: readInt32Values(entries) }));
    for (const quarter of staleQuarters) {
      const rows = quarterUsers.all(quarter) as ActivityRow[];
      const entries = new Int32Array(rows.length);
      rows.forEach(([ordinal, userKey, first], index) => {
        entries[index] = entryOf(numbering.numberOf(ordinal, userKey), first);
      });
      quarters.push({ quarter, entries });
    }
    return { quarters, users: numbering.size };
  })();
}
