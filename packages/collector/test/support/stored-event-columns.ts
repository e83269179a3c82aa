import type Database from 'better-sqlite3';

/** The events columns that migration 033 computes, by the stored column written in their place. */
const STORED_SINCE_033: Readonly<Record<string, string>> = {
  type: 'type_code',
  status: 'status_code',
};

/**
 * How a test's own SQL names the events columns it writes, at `db`'s schema
 * age: since migration 033, `type` and `status` are computed from stored
 * code columns, which a test writes with the same values (a code column
 * keeps a text as the text). `columns` is a comma-separated list.
 */
export function storedEventColumns(db: Database.Database): (columns: string) => string {
  const computed = db.prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'type_code'").get() !== undefined;
  return (columns) =>
    columns
      .split(',')
      .map((column) => (computed ? (STORED_SINCE_033[column.trim()] ?? column.trim()) : column.trim()))
      .join(', ');
}
