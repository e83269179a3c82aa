import type Database from 'better-sqlite3';
import { readCompactLists } from './compact-values.js';
import { type ListTables, listsInRange, ordinalListWriter, type StaleListWriter } from './quarter-lists.js';

/** Migration 018's lists of the ordinary `user_cost_rollup` rows per UTC quarter-hour. */
export const USER_COST_LISTS: ListTables = { lists: 'user_cost_lists', stale: 'user_cost_lists_stale' };

/** A stale quarter's rollup row: the user's ordinal (null when the key has none yet), key, then the sums in list order. */
export type UserCostRow = [
  ordinal: number | null,
  userKey: string,
  cost: number,
  promptTokens: number,
  completionTokens: number,
  totalTokens: number,
  newConversations: number,
];

const QUARTER_ROWS_SQL = `
  SELECT o.ordinal, r.user_key, r.cost, r.prompt_tokens, r.completion_tokens, r.total_tokens, r.new_conversations
    FROM user_cost_rollup r LEFT JOIN user_ordinals o ON o.user_key = r.user_key
   WHERE r.quarter = ? AND r.debug = 0`;

/** The writer of the user cost lists (rollup-materializer.ts runs it with the other stale lists). */
export function userCostListsWriter(db: Database.Database): StaleListWriter {
  const quarterRows = db.prepare(QUARTER_ROWS_SQL).raw();
  return ordinalListWriter(db, USER_COST_LISTS, (quarter) => quarterRows.all(quarter) as UserCostRow[]);
}

/** What quarters [q0, q1) hold: entries of USER_COST_WIDTH values (user-cost-sums.ts) from the lists, and the rows of stale quarters. */
export interface UserCosts {
  lists: Float64Array[];
  stale: UserCostRow[];
  /** The highest user ordinal: a per-user array needs one more slot. */
  maxOrdinal: number;
}

/**
 * The ordinary per-user cost rows of quarters [q0, q1): fresh quarters from
 * their lists, stale ones from the rollup. Call inside the reader's
 * transaction, so that a list rewritten meanwhile is counted exactly once.
 */
export function readUserCosts(db: Database.Database, q0: number, q1: number): UserCosts {
  const { lists, stale } = listsInRange(db, USER_COST_LISTS, q0, q1);
  const quarterRows = db.prepare(QUARTER_ROWS_SQL).raw();
  return {
    lists: readCompactLists(lists.map(([, entries]) => entries)),
    stale: stale.flatMap((quarter) => quarterRows.all(quarter) as UserCostRow[]),
    maxOrdinal: (db.prepare('SELECT MAX(ordinal) FROM user_ordinals').pluck().get() as number | null) ?? 0,
  };
}
