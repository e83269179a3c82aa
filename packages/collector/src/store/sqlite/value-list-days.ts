import type Database from 'better-sqlite3';
import { writeInt32Values } from './int32-values.js';
import type { ValueList } from './migrations/005-streaming-response-ids-delivery.js';
import { dayTablesOf } from './migrations/016-value-list-days.js';
import { readFloat64Values } from './metrics/float64-values.js';
import { QUARTERS_OF_DAY, StaleDayWriter } from './stale-day-writer.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Whether every value is an integer int32 holds exactly (not -0, which int32 would turn into 0). */
function allInt32(values: Float64Array): boolean {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX || Object.is(value, -0)) return false;
  }
  return true;
}

/**
 * Rewrites the day lists of stale days (migration 016): each key's chunks of
 * the day concatenated in quarter and chunk order, so that a day list holds
 * the values in the order of the quarter table; a list of integers as
 * little-endian int32 (migration 023), any other as big-endian binary64.
 */
export class ValueListDayWriter extends StaleDayWriter {
  constructor(db: Database.Database, list: ValueList) {
    const { days, stale } = dayTablesOf(list);
    const dayLists = db
      .prepare(
        `SELECT debug, model, intent, CAST(group_concat(${list.list}, '' ORDER BY quarter, chunk) AS BLOB)
           FROM ${list.table} WHERE ${QUARTERS_OF_DAY}
          GROUP BY debug, model, intent`,
      )
      .raw();
    const insert = db.prepare(`INSERT INTO ${days} (day, debug, model, intent, ${list.list}, int32) VALUES (?, ?, ?, ?, ?, ?)`);
    super(db, { quarters: list.table, days, stale }, (day) => {
      for (const [debug, model, intent, bytes] of dayLists.all({ day }) as [number, string, string, Buffer][]) {
        // Decided before the bytes are swapped in place: a binary64 list is stored as it came.
        const values = readFloat64Values(Buffer.from(bytes));
        if (allInt32(values)) insert.run(day, debug, model, intent, writeInt32Values(values), 1);
        else insert.run(day, debug, model, intent, bytes, 0);
      }
    });
  }
}
