import type Database from 'better-sqlite3';

/**
 * How an events row a test inserts with its own SQL gets its receive time:
 * the `received_at` column (epoch milliseconds) before migration 032,
 * `received_at_offset` (milliseconds from `ts`) since. Tests that insert
 * into databases of either age name the column and its value through this.
 */
export interface ReceivedAtColumn {
  column: 'received_at' | 'received_at_offset';
  /** SQL: the column's value for the row's `ts` (an expression) received at `receivedAt` (an expression). */
  value: (ts: string, receivedAt: string) => string;
}

export function receivedAtColumn(db: Database.Database): ReceivedAtColumn {
  const offsets = db.prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'received_at_offset'").get() !== undefined;
  return offsets
    ? { column: 'received_at_offset', value: (ts, receivedAt) => `(${receivedAt}) - (${ts})` }
    : { column: 'received_at', value: (_ts, receivedAt) => receivedAt };
}
