import type Database from 'better-sqlite3';

/** A table, index, view or trigger as `sqlite_master` holds it. */
interface SchemaObject {
  type: 'index' | 'view' | 'trigger';
  name: string;
  sql: string;
}

export interface TableRebuild {
  /**
   * SQL that creates the table `rebuilt` as the new definition and fills it
   * from the table being replaced (still under its own name).
   */
  fill(rebuilt: string): string;
  /** Passes each re-created index, view and trigger's SQL through a change first. */
  rewrite?: (sql: string) => string;
  /** Indexes on the table that the new definition makes redundant: not re-created. */
  droppedIndexes?: readonly string[];
}

/**
 * Replaces `table` by a new definition (SQLite's "other kinds of table
 * schema changes": it cannot reorder a primary key or turn a stored column
 * into a generated one): the new table is created and filled under another
 * name, the old one dropped and the new one renamed. The indexes and
 * triggers on the table, and the views and other triggers that read it, are
 * dropped first and re-created after from their own SQL: SQLite checks every
 * trigger and view when a table is renamed, and would fail on one that names
 * the dropped table. Runs inside a program migration, whose runner turns
 * foreign keys off so that dropping the old table deletes no row that
 * references it.
 */
export function rebuildTable(db: Database.Database, table: string, rebuild: TableRebuild): void {
  const rewrite = rebuild.rewrite ?? ((sql: string) => sql);
  const dropped = new Set(rebuild.droppedIndexes ?? []);
  const dependents = db
    .prepare(
      `SELECT type, name, sql FROM sqlite_master
        WHERE sql IS NOT NULL AND (
          (type IN ('index', 'trigger') AND tbl_name = @table)
          OR (type IN ('view', 'trigger') AND tbl_name <> @table AND sql LIKE '%' || @table || '%'))`,
    )
    .all({ table }) as SchemaObject[];
  for (const view of dependents.filter((object) => object.type === 'view')) db.exec(`DROP VIEW ${view.name}`);
  for (const trigger of dependents.filter((object) => object.type === 'trigger')) db.exec(`DROP TRIGGER IF EXISTS ${trigger.name}`);
  const rebuilt = `${table}_rebuilt`;
  db.exec(rebuild.fill(rebuilt));
  db.exec(`DROP TABLE ${table}; ALTER TABLE ${rebuilt} RENAME TO ${table};`);
  for (const type of ['index', 'view', 'trigger'] as const) {
    for (const object of dependents.filter((candidate) => candidate.type === type && !dropped.has(candidate.name))) db.exec(rewrite(object.sql));
  }
}
