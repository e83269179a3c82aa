import type Database from 'better-sqlite3';
import type { ValueList } from './migrations/005-streaming-response-ids-delivery.js';
import { dayTablesOf } from './migrations/016-value-list-days.js';

/** Quarter-hours per UTC day: a quarter's day is `quarter / 96` in SQLite's integer division. */
const QUARTERS_PER_DAY = 96;

/**
 * Rewrites the day lists of stale days (migration 016) on the background
 * fold's connection, a few days per transaction, oldest first. The latest day
 * holding values is left stale: ingest appends to it all day, and a reader
 * takes it from its quarter-hours.
 */
export class ValueListDayWriter {
  readonly #staleDays: Database.Statement;
  readonly #deleteDay: Database.Statement;
  readonly #writeDay: Database.Statement;
  readonly #unmarkStale: Database.Statement;

  constructor(db: Database.Database, list: ValueList) {
    const { days, stale } = dayTablesOf(list);
    this.#staleDays = db
      .prepare(`SELECT day FROM ${stale} WHERE day >= 0 AND day < (SELECT MAX(quarter) / ${QUARTERS_PER_DAY} FROM ${list.table}) ORDER BY day LIMIT ?`)
      .pluck();
    this.#deleteDay = db.prepare(`DELETE FROM ${days} WHERE day = ?`);
    this.#writeDay = db.prepare(
      `INSERT INTO ${days} (day, debug, model, intent, ${list.list})
       SELECT @day, debug, model, intent, CAST(group_concat(${list.list}, '' ORDER BY quarter, chunk) AS BLOB)
         FROM ${list.table} WHERE quarter >= @day * ${QUARTERS_PER_DAY} AND quarter < (@day + 1) * ${QUARTERS_PER_DAY}
        GROUP BY debug, model, intent`,
    );
    this.#unmarkStale = db.prepare(`DELETE FROM ${stale} WHERE day = ?`);
  }

  /** Rewrites up to `limit` stale days; returns how many. Call inside a write transaction. */
  refresh(limit: number): number {
    const days = this.#staleDays.all(limit) as number[];
    for (const day of days) {
      this.#deleteDay.run(day);
      this.#writeDay.run({ day });
      this.#unmarkStale.run(day);
    }
    return days.length;
  }
}

/** A run of a range read from one table: whole fresh days from the day lists, or quarter-hours from the quarter table. */
export type ValueListPiece = { from: 'days'; startDay: number; endDay: number } | { from: 'quarters'; q0: number; q1: number };

/**
 * Quarters [q0, q1) as runs in time order: the whole UTC days whose list is
 * fresh, and the quarter-hours around and between them. Reading the runs in
 * this order gives each key's values in the order of the quarter table.
 */
export function valueListPieces(db: Database.Database, list: ValueList, q0: number, q1: number): ValueListPiece[] {
  const pieces: ValueListPiece[] = [];
  let quartersFrom = q0;
  if (q0 >= 0) {
    const firstDay = Math.ceil(q0 / QUARTERS_PER_DAY);
    const endDay = Math.floor(q1 / QUARTERS_PER_DAY);
    const stale = new Set(
      db.prepare(`SELECT day FROM ${dayTablesOf(list).stale} WHERE day >= ? AND day < ?`).pluck().all(firstDay, endDay) as number[],
    );
    for (let day = firstDay; day < endDay; day += 1) {
      if (stale.has(day)) continue;
      if (day * QUARTERS_PER_DAY > quartersFrom) pieces.push({ from: 'quarters', q0: quartersFrom, q1: day * QUARTERS_PER_DAY });
      const last = pieces[pieces.length - 1];
      if (last?.from === 'days' && last.endDay === day) last.endDay = day + 1;
      else pieces.push({ from: 'days', startDay: day, endDay: day + 1 });
      quartersFrom = (day + 1) * QUARTERS_PER_DAY;
    }
  }
  if (q1 > quartersFrom) pieces.push({ from: 'quarters', q0: quartersFrom, q1 });
  return pieces;
}
