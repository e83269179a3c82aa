import { BINARY_VALUE_LISTS } from './010-binary-value-lists.js';
import type { ValueList } from './005-streaming-response-ids-delivery.js';
import type { Migration } from './migration.js';

/** Quarter-hours per UTC day: a quarter's day is `quarter / 96`. */
const QUARTERS_PER_DAY = 96;

/** The day table of a value list, and its table of stale days. */
export function dayTablesOf(list: ValueList): { days: string; stale: string } {
  return { days: `${list.table}_days`, stale: `${list.table}_days_stale` };
}

function markStale(stale: string, quarter: string): string {
  const day = `${quarter} / ${QUARTERS_PER_DAY}`;
  return `INSERT INTO ${stale} (day) SELECT ${day} WHERE NOT EXISTS (SELECT 1 FROM ${stale} WHERE day = ${day})`;
}

function dayListSql(list: ValueList): string {
  const { days, stale } = dayTablesOf(list);
  return `
    CREATE TABLE ${days} (
      day INTEGER NOT NULL,
      debug INTEGER NOT NULL,
      model TEXT NOT NULL, -- '' = none
      intent TEXT NOT NULL, -- '' = none
      ${list.list} BLOB NOT NULL, -- the day's values, big-endian binary64, in quarter and chunk order
      PRIMARY KEY (day, debug, model, intent)
    );
    CREATE TABLE ${stale} (day INTEGER PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER ${days}_insert AFTER INSERT ON ${list.table}
    BEGIN
      ${markStale(stale, 'NEW.quarter')};
    END;
    CREATE TRIGGER ${days}_update AFTER UPDATE ON ${list.table}
    BEGIN
      ${markStale(stale, 'OLD.quarter')};
      ${markStale(stale, 'NEW.quarter')};
    END;
    CREATE TRIGGER ${days}_delete AFTER DELETE ON ${list.table}
    BEGIN
      ${markStale(stale, 'OLD.quarter')};
    END;
    INSERT INTO ${stale} (day) SELECT DISTINCT quarter / ${QUARTERS_PER_DAY} FROM ${list.table};`;
}

/**
 * Value lists per UTC day: `response_latencies_days`, `response_ttfts_days`
 * and `response_token_rates_days` hold, per day, traffic flags, model and
 * intent, the values of that day's quarter-hour chunks concatenated
 * (value-list-days.ts), so that a 90-day percentile reads about a hundred
 * rows per key instead of one per quarter-hour and chunk (183,000 rows for
 * 90 days of latencies at 10M events). Triggers on the quarter tables mark
 * the days whose chunks change stale (inserts, appends, values taken out by
 * classification or deletion); the background fold rewrites stale days
 * except the latest one, which ingest keeps changing; a query reads whole
 * fresh days from here and everything else (edge quarter-hours of a zone's
 * days, stale days) from the quarter tables, in time order, so each key's
 * values come in the same order as before and the mean is the same to the
 * bit. The migration marks every day stale: the background fold writes them.
 */
export const valueListDaysMigration: Migration = {
  version: 16,
  name: 'value lists per UTC day',
  sql: BINARY_VALUE_LISTS.map(dayListSql).join('\n'),
};
