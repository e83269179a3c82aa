import type Database from 'better-sqlite3';
import { QUARTERS_PER_DAY } from './day-pieces.js';

/** A quarter-hour table, its table of rows per UTC day, and the days whose rows no longer match the quarters. */
export interface DayTables {
  quarters: string;
  days: string;
  stale: string;
}

/**
 * Rewrites the day rows of stale days on the background fold's connection, a
 * few days per transaction, oldest first. The latest day holding quarter rows
 * is left stale: ingest changes it all day, and a reader takes it from its
 * quarter-hours.
 */
export class StaleDayWriter {
  readonly #staleDays: Database.Statement;
  readonly #deleteDay: Database.Statement;
  readonly #writeDay: (day: number) => void;
  readonly #unmarkStale: Database.Statement;

  /** `writeDay` inserts the day rows of a day from the quarter table: an INSERT statement of day `@day`, or a function. */
  constructor(db: Database.Database, tables: DayTables, writeDay: string | ((day: number) => void)) {
    this.#staleDays = db
      .prepare(
        `SELECT day FROM ${tables.stale}
          WHERE day >= 0 AND day < (SELECT MAX(quarter) / ${QUARTERS_PER_DAY} FROM ${tables.quarters}) ORDER BY day LIMIT ?`,
      )
      .pluck();
    this.#deleteDay = db.prepare(`DELETE FROM ${tables.days} WHERE day = ?`);
    if (typeof writeDay === 'string') {
      const statement = db.prepare(writeDay);
      this.#writeDay = (day) => statement.run({ day });
    } else {
      this.#writeDay = writeDay;
    }
    this.#unmarkStale = db.prepare(`DELETE FROM ${tables.stale} WHERE day = ?`);
  }

  /** Rewrites up to `limit` stale days; returns how many. Call inside a write transaction. */
  refresh(limit: number): number {
    const days = this.#staleDays.all(limit) as number[];
    for (const day of days) {
      this.#deleteDay.run(day);
      this.#writeDay(day);
      this.#unmarkStale.run(day);
    }
    return days.length;
  }
}

/** The condition on `quarter` that keeps the quarters of UTC day `@day`. */
export const QUARTERS_OF_DAY = `quarter >= @day * ${QUARTERS_PER_DAY} AND quarter < (@day + 1) * ${QUARTERS_PER_DAY}`;
