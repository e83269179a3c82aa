import type Database from 'better-sqlite3';
import type { QuarterUnit } from './migrations/unit-staleness.js';
import type { ListTables } from './quarter-lists.js';

/** A quarter list kind and the stale marks of the days or weeks built from it (migrations/unit-staleness.ts). */
export interface QuarterUnitTables extends ListTables {
  unitStale: string;
}

/**
 * Rewrites stale days or weeks from their quarter lists on the background
 * fold's connection, oldest first, after the quarter lists' own writer. A
 * unit waits while one of its quarters is stale (its list is not what the
 * rollup holds yet); the latest unit holding a list or a stale quarter is
 * left to the quarter lists, since ingest keeps changing it (with no list
 * nor stale quarter left, none is the latest: every stale unit is rewritten,
 * to no row). `write` gets the
 * unit's lists in quarter order (none when it holds nothing any more) and
 * replaces the unit's row. At most `perRefresh` units per call, whatever the
 * caller's budget, for units that take long to write.
 */
export class QuarterUnitWriter {
  readonly #staleUnits: Database.Statement;
  readonly #quarterLists: Database.Statement;
  readonly #unmarkStale: Database.Statement;
  readonly #quarters: number;
  readonly #perRefresh: number;
  readonly #write: (unit: number, lists: [quarter: number, entries: Buffer][]) => void;

  constructor(
    db: Database.Database,
    tables: QuarterUnitTables,
    unit: QuarterUnit,
    write: (unit: number, lists: [quarter: number, entries: Buffer][]) => void,
    perRefresh = Infinity,
  ) {
    const { lists, stale, unitStale } = tables;
    const { column, quarters } = unit;
    this.#staleUnits = db
      .prepare(
        `SELECT u.${column} FROM ${unitStale} u
          WHERE u.${column} < COALESCE((SELECT MAX(quarter) / ${quarters}
                                          FROM (SELECT MAX(quarter) AS quarter FROM ${lists} UNION ALL SELECT MAX(quarter) FROM ${stale})),
                                       u.${column} + 1)
            AND NOT EXISTS (SELECT 1 FROM ${stale} q
                             WHERE q.quarter >= u.${column} * ${quarters} AND q.quarter < (u.${column} + 1) * ${quarters})
          ORDER BY u.${column} LIMIT ?`,
      )
      .pluck();
    this.#quarterLists = db.prepare(`SELECT quarter, entries FROM ${lists} WHERE quarter >= ? AND quarter < ? ORDER BY quarter`).raw();
    this.#unmarkStale = db.prepare(`DELETE FROM ${unitStale} WHERE ${column} = ?`);
    this.#quarters = quarters;
    this.#perRefresh = perRefresh;
    this.#write = write;
  }

  /** Rewrites up to `limit` stale units; returns how many. Call inside a write transaction. */
  refresh(limit: number): number {
    const units = this.#staleUnits.all(Math.min(limit, this.#perRefresh)) as number[];
    for (const unit of units) {
      this.#write(unit, this.#quarterLists.all(unit * this.#quarters, (unit + 1) * this.#quarters) as [number, Buffer][]);
      this.#unmarkStale.run(unit);
    }
    return units.length;
  }
}
