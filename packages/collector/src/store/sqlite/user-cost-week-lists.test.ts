import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { readCompactValues } from './compact-values.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { userCostListsWriter } from './user-cost-lists.js';
import { readUserCostsByWeek, userCostWeekWriter } from './user-cost-week-lists.js';

/** Migration 020's per-user cost lists per week: written from the quarter lists once these are fresh, read for whole fresh weeks. */

/** Week 2929: 2026-02-19 (a Thursday) to 2026-02-25, UTC. */
const WEEK = 2929;
const Q = WEEK * 672;

const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

function openDatabase(): Database.Database {
  const db = new Database(':memory:');
  databases.push(db);
  migrate(db, migrations);
  return db;
}

/** A user's ordinary cost row: one response per row, 10 + 5 = 15 tokens each, `conversations` new ones. */
function addCost(db: Database.Database, quarter: number, userKey: string, cost: number, conversations = 1, debug = 0): void {
  db.prepare(
    `INSERT INTO user_cost_rollup (quarter, debug, user_key, responses, cost, prompt_tokens, completion_tokens, total_tokens, new_conversations)
     VALUES (?, ?, ?, 1, ?, 10, 5, 15, ?)`,
  ).run(quarter, debug, userKey, cost, conversations);
}

/** The quarter lists, then the week lists, as the background fold rewrites them until nothing is left. */
function refresh(db: Database.Database): { quarters: number; weeks: number } {
  return db.transaction(() => {
    const quarters = userCostListsWriter(db).refresh(1000);
    const writer = userCostWeekWriter(db);
    let weeks = 0;
    for (let turn = writer.refresh(1000); turn > 0; turn = writer.refresh(1000)) weeks += turn;
    return { quarters, weeks };
  })();
}

function weekList(db: Database.Database, week: number): number[] | undefined {
  const entries = db.prepare('SELECT entries FROM user_cost_week_lists WHERE week = ?').pluck().get(week) as Buffer | undefined;
  return entries === undefined ? undefined : [...readCompactValues(entries)];
}

const staleWeeks = (db: Database.Database): unknown[] => db.prepare('SELECT week FROM user_cost_week_lists_stale ORDER BY week').pluck().all();

describe('per-user cost lists per week', () => {
  it("writes a week's list from its quarter lists: each user once, in ordinal order, with their sums over the week", () => {
    const db = openDatabase();
    addCost(db, Q + 3, 'ada', 0.5);
    addCost(db, Q + 10, 'bob', 2);
    addCost(db, Q + 500, 'ada', 0.25, 0);
    addCost(db, Q + 500, 'ada', 9, 1, 1);
    addCost(db, Q + 672, 'cy', 4);

    expect(refresh(db)).toEqual({ quarters: 4, weeks: 1 });

    // ada is numbered first (quarter Q + 3), bob second; debug rows have no list.
    expect(weekList(db, WEEK)).toEqual([1, 0.75, 20, 10, 30, 1, 2, 2, 10, 5, 15, 1]);
    // The latest week is left stale: ingest keeps changing it.
    expect(weekList(db, WEEK + 1)).toBeUndefined();
    expect(staleWeeks(db)).toEqual([WEEK + 1]);
  });

  it('waits until every quarter of a stale week is fresh', () => {
    const db = openDatabase();
    addCost(db, Q + 3, 'ada', 0.5);
    addCost(db, Q + 672, 'cy', 4);
    refresh(db);
    addCost(db, Q + 4, 'bob', 2);
    expect(db.transaction(() => userCostListsWriter(db).refresh(10))()).toBe(1);
    expect(staleWeeks(db)).toEqual([WEEK, WEEK + 1]);
    addCost(db, Q + 5, 'dee', 8);

    expect(db.transaction(() => userCostWeekWriter(db).refresh(10))()).toBe(0);
    expect(weekList(db, WEEK)).toEqual([1, 0.5, 10, 5, 15, 1]);
    expect(db.transaction(() => userCostListsWriter(db).refresh(10))()).toBe(1);
    expect(db.transaction(() => userCostWeekWriter(db).refresh(10))()).toBe(1);
    expect(weekList(db, WEEK)).toEqual([1, 0.5, 10, 5, 15, 1, 3, 2, 10, 5, 15, 1, 4, 8, 10, 5, 15, 1]);
  });

  it('rewrites one week per call, oldest first', () => {
    const db = openDatabase();
    for (const week of [WEEK - 2, WEEK - 1, WEEK, WEEK + 1]) addCost(db, week * 672, 'ada', 1);
    db.transaction(() => userCostListsWriter(db).refresh(10))();
    const writer = userCostWeekWriter(db);

    expect(db.transaction(() => writer.refresh(10))()).toBe(1);
    expect(staleWeeks(db)).toEqual([WEEK - 1, WEEK, WEEK + 1]);
    expect(db.transaction(() => writer.refresh(10))()).toBe(1);
    expect(db.transaction(() => writer.refresh(10))()).toBe(1);
    expect(db.transaction(() => writer.refresh(10))()).toBe(0);
    expect(db.prepare('SELECT week FROM user_cost_week_lists ORDER BY week').pluck().all()).toEqual([WEEK - 2, WEEK - 1, WEEK]);
  });

  it('drops the list of a week left with no row, and writes every week once no row is left to be the latest', () => {
    const db = openDatabase();
    addCost(db, Q + 3, 'ada', 0.5);
    addCost(db, Q + 672, 'cy', 4);
    refresh(db);
    db.prepare('DELETE FROM user_cost_rollup').run();

    expect(refresh(db)).toEqual({ quarters: 2, weeks: 2 });
    expect(db.prepare('SELECT COUNT(*) FROM user_cost_week_lists').pluck().get()).toBe(0);
    expect(staleWeeks(db)).toEqual([]);
  });

  it('marks no week for quarters before the epoch, whose week 0 would also take quarters after it', () => {
    const db = openDatabase();
    addCost(db, -1, 'ada', 0.5);
    addCost(db, 0, 'bob', 2);
    addCost(db, 672, 'cy', 4);

    expect(refresh(db)).toEqual({ quarters: 3, weeks: 1 });
    // Quarter 0 holds the responses of the quarter-hour on either side of the epoch; quarter -1 is in no week.
    expect(weekList(db, 0)).toEqual([2, 2, 10, 5, 15, 1]);
  });

  it('reads the whole fresh weeks of a range from their lists, and stale weeks and the edges from the quarters', () => {
    const db = openDatabase();
    addCost(db, Q - 1, 'ada', 0.5);
    addCost(db, Q + 3, 'ada', 1);
    addCost(db, Q + 600, 'bob', 2);
    addCost(db, Q + 672, 'cy', 4);
    refresh(db);
    const entriesOf = (q0: number, q1: number): { lists: number[][]; stale: unknown[] } => {
      const costs = db.transaction(() => readUserCostsByWeek(db, q0, q1))();
      return { lists: costs.lists.map((list) => [...list]), stale: costs.stale };
    };

    // The edge quarter's list, the week's list (ada and bob), the latest week's quarter list.
    expect(entriesOf(Q - 1, Q + 673)).toEqual({
      lists: [[1, 0.5, 10, 5, 15, 1], [1, 1, 10, 5, 15, 1, 2, 2, 10, 5, 15, 1], [3, 4, 10, 5, 15, 1]],
      stale: [],
    });

    addCost(db, Q + 5, 'dee', 8);
    // A stale quarter makes its week stale: its quarter lists, and the stale quarter's rollup row (dee has no ordinal yet).
    expect(entriesOf(Q, Q + 672)).toEqual({ lists: [[1, 1, 10, 5, 15, 1], [2, 2, 10, 5, 15, 1]], stale: [[null, 'dee', 8, 10, 5, 15, 1]] });

    db.transaction(() => userCostListsWriter(db).refresh(10))();
    // The quarter is rewritten, its week (stale since the quarter turned stale) not yet: still the quarter lists.
    expect(entriesOf(Q, Q + 672)).toEqual({ lists: [[1, 1, 10, 5, 15, 1], [4, 8, 10, 5, 15, 1], [2, 2, 10, 5, 15, 1]], stale: [] });

    db.transaction(() => userCostWeekWriter(db).refresh(10))();
    expect(entriesOf(Q, Q + 672)).toEqual({ lists: [[1, 1, 10, 5, 15, 1, 2, 2, 10, 5, 15, 1, 4, 8, 10, 5, 15, 1]], stale: [] });
  });
});
