import type Database from 'better-sqlite3';

/** The events table's columns as a rebuild defines them. */
export interface EventsTableColumns {
  /** Each stored column's definition and the SQL value it takes from the table being replaced. */
  stored: ReadonlyArray<readonly [definition: string, copiedFrom: string]>;
  /** Generated columns' definitions. */
  generated: readonly string[];
}

/** A table, index, view or trigger as `sqlite_master` holds it. */
interface SchemaObject {
  type: 'index' | 'view' | 'trigger';
  name: string;
  sql: string;
}

/** The name a column definition defines. */
export const columnName = (definition: string): string => definition.trim().split(/\s+/)[0] ?? definition;

/**
 * Replaces the events table by one with `columns`, copying every row in id
 * order (SQLite's "other kinds of table schema changes": it cannot turn a
 * stored column into a generated one). The indexes and triggers on events,
 * and the views and other triggers that read it, are re-created from their
 * own SQL, passed through `rewrite` first. Runs inside a program migration,
 * whose runner turns foreign keys off so that dropping the old table does
 * not empty `intent_queue`.
 */
export function rebuildEventsTable(
  db: Database.Database,
  columns: EventsTableColumns,
  rewrite: (sql: string) => string = (sql) => sql,
): void {
  const dependents = db
    .prepare(
      `SELECT type, name, sql FROM sqlite_master
        WHERE sql IS NOT NULL AND (
          (type IN ('index', 'trigger') AND tbl_name = 'events')
          OR (type IN ('view', 'trigger') AND tbl_name <> 'events' AND sql LIKE '%events%'))`,
    )
    .all() as SchemaObject[];
  for (const view of dependents.filter((object) => object.type === 'view')) db.exec(`DROP VIEW ${view.name}`);
  for (const trigger of dependents.filter((object) => object.type === 'trigger')) db.exec(`DROP TRIGGER IF EXISTS ${trigger.name}`);

  db.exec(`
    CREATE TABLE events_rebuilt (
      ${[...columns.stored.map(([definition]) => definition), ...columns.generated, 'UNIQUE (write_key, message_id)'].join(',\n      ')}
    );
    INSERT INTO events_rebuilt (${columns.stored.map(([definition]) => columnName(definition)).join(', ')})
      SELECT ${columns.stored.map(([, copiedFrom]) => copiedFrom).join(', ')} FROM events ORDER BY id;
    DROP TABLE events;
    ALTER TABLE events_rebuilt RENAME TO events;
  `);
  for (const type of ['index', 'view', 'trigger'] as const) {
    for (const object of dependents.filter((candidate) => candidate.type === type)) db.exec(rewrite(object.sql));
  }
}
