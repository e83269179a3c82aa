import type Database from 'better-sqlite3';

/** One forward-only schema change; `version` values are consecutive from 1. */
export type Migration = SqlMigration | ProgramMigration;

interface MigrationIdentity {
  version: number;
  name: string;
}

/** A change written as fixed SQL. */
export interface SqlMigration extends MigrationIdentity {
  sql: string;
}

/**
 * A change whose statements depend on the schema it finds, such as a table
 * rebuild that re-creates the indexes and triggers present. The runner turns
 * foreign keys off while it runs (SQLite's procedure for table rebuilds) and
 * checks them before its transaction commits.
 */
export interface ProgramMigration extends MigrationIdentity {
  apply(db: Database.Database): void;
}
