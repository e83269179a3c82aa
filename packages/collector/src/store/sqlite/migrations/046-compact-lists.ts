import type Database from 'better-sqlite3';
import { FORMAT_MARK, writeCompactValues } from '../compact-values.js';
import { readFloat64Values } from '../metrics/float64-values.js';
import { packedLists, packLists } from '../quarter-list-days.js';
import type { ProgramMigration } from './migration.js';

/** A list column the background fold writes in JavaScript, keyed by its table's integer primary key; entries of `width` values. */
interface ListColumn {
  table: string;
  key: string;
  column: string;
  width: number;
}

/** The lists in this table's column as they were: big-endian binary64 values, eight bytes each. */
const LIST_COLUMNS: readonly ListColumn[] = [
  // ordinal, duration, user messages, bot messages
  { table: 'session_lists', key: 'quarter', column: 'entries', width: 4 },
  // ordinal, prompts
  { table: 'conversation_lists', key: 'quarter', column: 'entries', width: 2 },
  // step, users
  { table: 'activity_steps', key: 'quarter', column: 'entries', width: 2 },
  // ordinal, cost, prompt tokens, completion tokens, total tokens, new conversations
  { table: 'user_cost_lists', key: 'quarter', column: 'entries', width: 6 },
  { table: 'user_cost_week_lists', key: 'week', column: 'entries', width: 6 },
  // a duration per session
  { table: 'session_days', key: 'day', column: 'durations', width: 1 },
];

/** Day packs (migration 022) of lists in that format: `entries` their lists concatenated, `quarters` each one's quarter and byte length (little-endian int32). */
const PACK_TABLES = [
  { table: 'conversation_lists_days', width: 2 },
  { table: 'activity_steps_days', width: 2 },
] as const;

const BINARY64_BYTES = 8;

/**
 * The lists above in the compact format of compact-values.ts: each column
 * of small integers in the one to three bytes its spread needs instead of
 * eight-byte doubles, which leaves a list a quarter to a half of its size
 * (10M bench events: 334 → 320 bytes per event, measured 2026-12-05). The
 * value lists written by SQL (`response_latencies` and the others of
 * migration 010), from which SQL also takes single values out, keep their
 * format.
 *
 * Each list is converted in place, value for value. A list that already
 * starts with the format's mark is left as it is, so that the conversion
 * cannot apply twice; no list of the format before starts with it. Rows
 * that shrink in place free pages the file reuses for new rows; only VACUUM
 * returns them to the disk.
 */
export const compactListsMigration: ProgramMigration = {
  version: 46,
  name: 'lists written by the fold stored column by column, small integers in the bytes they need',
  apply(db) {
    for (const list of LIST_COLUMNS) convertColumn(db, list);
    for (const { table, width } of PACK_TABLES) convertPacks(db, table, width);
  },
};

function convertColumn(db: Database.Database, { table, key, column, width }: ListColumn): void {
  const keys = db.prepare(`SELECT ${key} FROM ${table} ORDER BY ${key}`).pluck().all() as number[];
  const read = db.prepare(`SELECT ${column} FROM ${table} WHERE ${key} = ?`).pluck();
  const write = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`);
  for (const at of keys) {
    const list = read.get(at) as Buffer;
    if (list[0] !== FORMAT_MARK) write.run(compactList(list, width, `${table}.${column} at ${key} ${at}`), at);
  }
}

function convertPacks(db: Database.Database, table: string, width: number): void {
  const days = db.prepare(`SELECT day FROM ${table} ORDER BY day`).pluck().all() as number[];
  const read = db.prepare(`SELECT quarters, entries FROM ${table} WHERE day = ?`).raw();
  const write = db.prepare(`UPDATE ${table} SET quarters = ?, entries = ? WHERE day = ?`);
  for (const day of days) {
    const [quarters, entries] = read.get(day) as [Buffer, Buffer];
    const lists = packedLists(quarters, entries).map(
      ([quarter, list]) => [quarter, list[0] === FORMAT_MARK ? list : compactList(list, width, `${table} day ${day}, quarter ${quarter}`)] as const,
    );
    const pack = packLists(lists);
    write.run(pack.quarters, pack.entries, day);
  }
}

/** A list of big-endian binary64 values, entries of `width`, in the compact format. */
function compactList(list: Buffer, width: number, where: string): Buffer {
  if (list.length % (width * BINARY64_BYTES) !== 0) throw new RangeError(`${where}: a list of entries of ${width} 8-byte values cannot hold ${list.length} bytes`);
  // readFloat64Values swaps the bytes in place: `list` is this migration's own copy of the row.
  return writeCompactValues(readFloat64Values(list), width);
}
