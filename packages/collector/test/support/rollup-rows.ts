import type Database from 'better-sqlite3';

/**
 * A rollup table's rows in a stable order, REAL sums rounded to 6 decimals so
 * that summation order does not matter: what tests compare between a
 * trigger-maintained store and a rebuilt or never-touched one.
 */
export function comparableRows(db: Database.Database, table: string, order: string): unknown[] {
  return db
    .prepare(`SELECT * FROM ${table} ORDER BY ${order}`)
    .all()
    .map((row) => Object.fromEntries(Object.entries(row as object).map(([name, value]) => [name, typeof value === 'number' ? Math.round(value * 1e6) / 1e6 : value])));
}
