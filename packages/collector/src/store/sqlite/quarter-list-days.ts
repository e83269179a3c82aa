import type Database from 'better-sqlite3';
import { readInt32Values, writeInt32Values } from './int32-values.js';
import { dayPackTablesOf, LISTS_PACKED_BY_DAY } from './migrations/022-quarter-list-days.js';
import { DAY_UNIT } from './migrations/unit-staleness.js';
import { QuarterUnitWriter } from './quarter-unit-writer.js';

/** A list table's day packs (migration 022). */
export interface DayPackTables {
  packs: string;
  stale: string;
}

/** Rewrites the day packs of one list table (migration 022) from its quarter lists. */
export function dayPackWriter(db: Database.Database, lists: (typeof LISTS_PACKED_BY_DAY)[number]): QuarterUnitWriter {
  const { packs, stale } = dayPackTablesOf(lists);
  const writePack = db.prepare(`INSERT OR REPLACE INTO ${packs} (day, quarters, entries) VALUES (?, ?, ?)`);
  const deletePack = db.prepare(`DELETE FROM ${packs} WHERE day = ?`);
  return new QuarterUnitWriter(db, { lists, stale: `${lists}_stale`, unitStale: stale }, DAY_UNIT, (day, quarterLists) => {
    if (quarterLists.length === 0) {
      deletePack.run(day);
      return;
    }
    const pack = packLists(quarterLists);
    writePack.run(day, pack.quarters, pack.entries);
  });
}

/** Every list table's pack writer, for the background fold. */
export function dayPackWriters(db: Database.Database): QuarterUnitWriter[] {
  return LISTS_PACKED_BY_DAY.map((lists) => dayPackWriter(db, lists));
}

/**
 * The quarter lists packed in days [startDay, endDay), in quarter order: each
 * a view into its day's row (no copy). Call inside the reader's transaction.
 */
export function readDayPacks(db: Database.Database, tables: DayPackTables, startDay: number, endDay: number): [quarter: number, entries: Buffer][] {
  const rows = db.prepare(`SELECT quarters, entries FROM ${tables.packs} WHERE day >= ? AND day < ? ORDER BY day`).raw().all(startDay, endDay) as [Buffer, Buffer][];
  const lists: [number, Buffer][] = [];
  // A loop, not push(...): 120 days hold over 11,000 lists.
  for (const [quarters, entries] of rows) for (const list of packedLists(quarters, entries)) lists.push(list);
  return lists;
}

/** A day pack's row: its quarter lists concatenated in quarter order, and each one's quarter and byte length (little-endian int32). */
export function packLists(lists: readonly (readonly [quarter: number, entries: Buffer])[]): { quarters: Buffer; entries: Buffer } {
  return {
    quarters: writeInt32Values(lists.flatMap(([quarter, entries]) => [quarter, entries.length])),
    entries: Buffer.concat(lists.map(([, entries]) => entries)),
  };
}

/** The quarter lists of one day pack's row, in quarter order: each a view into `entries` (no copy). */
export function packedLists(quarters: Buffer, entries: Buffer): [quarter: number, entries: Buffer][] {
  const index = readInt32Values(quarters);
  const lists: [number, Buffer][] = [];
  let offset = 0;
  for (let at = 0; at < index.length; at += 2) {
    const length = index[at + 1] as number;
    lists.push([index[at] as number, entries.subarray(offset, offset + length)]);
    offset += length;
  }
  return lists;
}
