import type Database from 'better-sqlite3';
import type { ValueList } from './migrations/005-streaming-response-ids-delivery.js';
import { dayTablesOf } from './migrations/016-value-list-days.js';
import { QUARTERS_OF_DAY, StaleDayWriter } from './stale-day-writer.js';

/**
 * Rewrites the day lists of stale days (migration 016): each key's chunks of
 * the day concatenated in quarter and chunk order, so that a day list holds
 * the values in the order of the quarter table.
 */
export class ValueListDayWriter extends StaleDayWriter {
  constructor(db: Database.Database, list: ValueList) {
    const { days, stale } = dayTablesOf(list);
    super(
      db,
      { quarters: list.table, days, stale },
      `INSERT INTO ${days} (day, debug, model, intent, ${list.list})
       SELECT @day, debug, model, intent, CAST(group_concat(${list.list}, '' ORDER BY quarter, chunk) AS BLOB)
         FROM ${list.table} WHERE ${QUARTERS_OF_DAY}
        GROUP BY debug, model, intent`,
    );
  }
}
