import type Database from 'better-sqlite3';
import { QUARTERS_PER_DAY } from './day-pieces.js';
import type { ListTables } from './quarter-lists.js';

/** A quarter list kind and the stale marks of the days built from it (migrations/day-staleness.ts). */
export interface QuarterDayTables extends ListTables {
  dayStale: string;
}

/**
 * Rewrites stale days from their quarter lists on the background fold's
 * connection, oldest first, after the quarter lists' own writer. A day waits
 * while one of its quarters is stale (its list is not what the rollup holds
 * yet); the latest day holding a list or a stale quarter is left to the
 * quarter lists, since ingest keeps changing it. `write` gets the day's lists
 * in quarter order (none when the day holds nothing any more) and replaces
 * the day's row.
 */
export class QuarterDayWriter {
  readonly #staleDays: Database.Statement;
  readonly #quarterLists: Database.Statement;
  readonly #unmarkStale: Database.Statement;
  readonly #write: (day: number, lists: [quarter: number, entries: Buffer][]) => void;

  constructor(db: Database.Database, tables: QuarterDayTables, write: (day: number, lists: [quarter: number, entries: Buffer][]) => void) {
    const { lists, stale, dayStale } = tables;
    this.#staleDays = db
      .prepare(
        `SELECT d.day FROM ${dayStale} d
          WHERE d.day < (SELECT MAX(quarter) / ${QUARTERS_PER_DAY}
                           FROM (SELECT MAX(quarter) AS quarter FROM ${lists} UNION ALL SELECT MAX(quarter) FROM ${stale}))
            AND NOT EXISTS (SELECT 1 FROM ${stale} q
                             WHERE q.quarter >= d.day * ${QUARTERS_PER_DAY} AND q.quarter < (d.day + 1) * ${QUARTERS_PER_DAY})
          ORDER BY d.day LIMIT ?`,
      )
      .pluck();
    this.#quarterLists = db.prepare(`SELECT quarter, entries FROM ${lists} WHERE quarter >= ? AND quarter < ? ORDER BY quarter`).raw();
    this.#unmarkStale = db.prepare(`DELETE FROM ${dayStale} WHERE day = ?`);
    this.#write = write;
  }

  /** Rewrites up to `limit` stale days; returns how many. Call inside a write transaction. */
  refresh(limit: number): number {
    const days = this.#staleDays.all(limit) as number[];
    for (const day of days) {
      this.#write(day, this.#quarterLists.all(day * QUARTERS_PER_DAY, (day + 1) * QUARTERS_PER_DAY) as [number, Buffer][]);
      this.#unmarkStale.run(day);
    }
    return days.length;
  }
}
