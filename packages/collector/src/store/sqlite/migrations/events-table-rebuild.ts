import type Database from 'better-sqlite3';
import { rebuildTable } from './table-rebuild.js';

/** The events table's columns as a rebuild defines them. */
export interface EventsTableColumns {
  /** Each stored column's definition and the SQL value it takes from the table being replaced. */
  stored: ReadonlyArray<readonly [definition: string, copiedFrom: string]>;
  /** Generated columns' definitions. */
  generated: readonly string[];
}

/** The name a column definition defines. */
export const columnName = (definition: string): string => definition.trim().split(/\s+/)[0] ?? definition;

/**
 * Replaces the events table by one with `columns`, copying every row in id
 * order (table-rebuild.ts), with its indexes, views and triggers re-created
 * from their own SQL, passed through `rewrite` first.
 */
export function rebuildEventsTable(
  db: Database.Database,
  columns: EventsTableColumns,
  rewrite: (sql: string) => string = (sql) => sql,
): void {
  rebuildTable(db, 'events', {
    fill: (rebuilt) => `
      CREATE TABLE ${rebuilt} (
        ${[...columns.stored.map(([definition]) => definition), ...columns.generated, 'UNIQUE (write_key, message_id)'].join(',\n        ')}
      );
      INSERT INTO ${rebuilt} (${columns.stored.map(([definition]) => columnName(definition)).join(', ')})
        SELECT ${columns.stored.map(([, copiedFrom]) => copiedFrom).join(', ')} FROM events ORDER BY id;`,
    rewrite,
  });
}
