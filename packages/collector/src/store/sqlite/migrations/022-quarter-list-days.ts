import { DAY_UNIT, staleUnitsSql } from './unit-staleness.js';
import type { Migration } from './migration.js';

/** The quarter list kinds of migration 014 whose readers mostly take whole days: `conversations`, DAU/WAU/MAU, retention. */
export const LISTS_PACKED_BY_DAY = ['conversation_lists', 'activity_steps', 'activity_users'] as const;

/** A quarter list table's day packs and their stale marks. */
export function dayPackTablesOf(lists: (typeof LISTS_PACKED_BY_DAY)[number]): { packs: string; stale: string } {
  return { packs: `${lists}_days`, stale: `${lists}_days_stale` };
}

/**
 * The quarter lists of a UTC day in one row. Reading migration 014's lists
 * costs per row more than per byte: at 10M bench events, 120 days of
 * `activity_users` (11,500 rows of about 560 bytes) took 31 ms to read, the
 * same bytes as one row per day 3.6 ms, and `activity_steps` 36.5 → 7.9 ms
 * (2026-12-02); DAU/WAU/MAU and retention read 119–120 days for a 90-day
 * range, and the report reads both. A pack holds the day's lists
 * concatenated in quarter order (`entries`) and, as little-endian int32
 * pairs, each list's quarter and byte length (`quarters`).
 *
 * Days turn stale with their quarters (unit-staleness.ts); the background fold
 * rewrites a stale day's pack once its quarters are fresh, except the latest
 * day (quarter-list-days.ts); a reader takes fresh whole days from the packs
 * and the rest from the quarter lists (quarter-lists.ts `listsInRange`).
 */
export const quarterListDaysMigration: Migration = {
  version: 22,
  name: 'quarter lists packed per UTC day',
  sql: LISTS_PACKED_BY_DAY.map((lists) => {
    const { packs, stale } = dayPackTablesOf(lists);
    return `
      CREATE TABLE ${packs} (
        day      INTEGER PRIMARY KEY, -- UTC day: quarter / 96
        quarters BLOB NOT NULL, -- per list: quarter, byte length (little-endian int32)
        entries  BLOB NOT NULL  -- the day's lists, in quarter order
      );
      ${staleUnitsSql(lists, `${lists}_stale`, stale, DAY_UNIT)}`;
  }).join('\n'),
};
