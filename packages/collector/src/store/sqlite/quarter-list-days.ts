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
    const index = quarterLists.flatMap(([quarter, entries]) => [quarter, entries.length]);
    writePack.run(day, writeInt32Values(index), Buffer.concat(quarterLists.map(([, entries]) => entries)));
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
  for (const [quarters, entries] of rows) {
    const index = readInt32Values(quarters);
    let offset = 0;
    for (let at = 0; at < index.length; at += 2) {
      const length = index[at + 1] as number;
      lists.push([index[at] as number, entries.subarray(offset, offset + length)]);
      offset += length;
    }
  }
  return lists;
}
