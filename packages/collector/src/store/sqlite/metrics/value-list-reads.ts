import type Database from 'better-sqlite3';
import type { ValueList } from '../migrations/005-streaming-response-ids-delivery.js';
import { VALUE_BYTES } from '../migrations/010-binary-value-lists.js';
import { dayTablesOf } from '../migrations/016-value-list-days.js';
import { dayPieces } from '../day-pieces.js';
import type { FilterSql } from './event-filters-sql.js';
import { Float64ValuesConcat } from './float64-values.js';
import { valuesByKey } from './values-by-key.js';

/** Bytes of a value in a day list of integers (migration 023). */
const INT32_BYTES = 4;

/**
 * Every value of one measure's lists in quarters [q0, q1) that pass
 * `keyFilters`, per key column value (`key` null: one group, key null, for
 * the whole range; '' is the rollups' "none", which the interface calls
 * null). Each key's values come in the order of the quarter table (time
 * order), which keeps a mean summed over them the same to the bit whichever
 * pieces the range is read from. Empty when the range holds no value.
 *
 * One scan in primary-key order per run of the range (whole days from the
 * day lists of migration 016, quarters from the quarter table), split by key
 * afterwards (values-by-key.ts): a GROUP BY would push every row with its
 * list through a temporary b-tree, which took two to four times as long as
 * the scan itself (1M-event bench database, 90 days, measured 2026-12-01).
 * Each row's list is copied straight into one array sized beforehand from
 * the lists' lengths (which SQLite knows without reading the lists), instead
 * of group_concat growing a string per run, better-sqlite3 copying it out
 * and Buffer.concat joining the runs: at 10M bench events, 90 whole UTC days
 * (one run) read in 70 ms instead of 84 (medians of 24 reads on a shared
 * machine, measured 2026-12-02), and a zone's days (three runs) save the
 * join's copy of every value as well. Most of what remains is SQLite reading
 * the pages and the kernel handing out the new array's 35 MB.
 */
export function readValueLists(
  db: Database.Database,
  list: ValueList,
  q0: number,
  q1: number,
  keyFilters: FilterSql,
  key: 'model' | 'intent' | null,
): Map<string | null, Float64Array> {
  return db.transaction(() => {
    // A day list may hold int32 (its `int32` column, migration 023); the quarter tables always hold binary64.
    const runs = dayPieces(db, dayTablesOf(list).stale, q0, q1).map((piece) =>
      piece.from === 'days'
        ? { table: dayTablesOf(list).days, int32: 'int32', range: 'day >= @from AND day < @to', params: { from: piece.startDay, to: piece.endDay } }
        : { table: list.table, int32: '0', range: 'quarter >= @from AND quarter < @to', params: { from: piece.q0, to: piece.q1 } },
    );
    const rowsOf = (run: (typeof runs)[number], columns: string): Database.Statement =>
      db.prepare(`SELECT ${columns} FROM ${run.table} WHERE ${run.range}${keyFilters.sql}`);
    const totalBytes = runs.reduce(
      (sum, run) => sum + (rowsOf(run, `TOTAL(length(${list.list}) << ${run.int32})`).pluck().get({ ...run.params, ...keyFilters.params }) as number),
      0,
    );
    if (totalBytes === 0) return new Map<string | null, Float64Array>();
    const values = new Float64ValuesConcat(totalBytes);
    const keys: (string | null)[] = [];
    const counts: number[] = [];
    for (const run of runs) {
      const rows = rowsOf(run, `${key ?? 'NULL'}, ${list.list}, ${run.int32}`).raw().iterate({ ...run.params, ...keyFilters.params });
      for (const [rowKey, bytes, int32] of rows as IterableIterator<[string | null, Buffer, 0 | 1]>) {
        if (int32 === 1) values.appendInt32(bytes);
        else values.append(bytes);
        keys.push(rowKey === '' ? null : rowKey);
        counts.push(int32 === 1 ? bytes.length / INT32_BYTES : bytes.length / VALUE_BYTES);
      }
    }
    return valuesByKey(values.values(), keys, counts);
  })();
}
