import type Database from 'better-sqlite3';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import type { ProgramMigration } from './migrations/migration.js';
import { ChatmeterError } from '../../chatmeter-error.js';

/** Thrown when the database was written by a newer collector than this one. */
export class SchemaVersionError extends ChatmeterError {
  override name = 'SchemaVersionError';
}

/** Thrown when a migration would leave the database inconsistent; its transaction is rolled back. */
export class MigrationError extends ChatmeterError {
  override name = 'MigrationError';
}

/**
 * Brings the schema up to date. The version lives in SQLite's `user_version`;
 * each migration runs in its own transaction so a crash leaves a valid version.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = allMigrations): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new SchemaVersionError(
      `database schema version ${current} is newer than this collector supports (${latest}); upgrade @chatmeter/collector`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    if ('sql' in migration) {
      db.transaction(() => {
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      })();
    } else {
      applyProgram(db, migration);
    }
  }
  return latest;
}

/**
 * Foreign keys off around the transaction (the pragma is a no-op inside
 * one): dropping a rebuilt table would otherwise delete the rows that
 * reference it (`intent_queue`'s ON DELETE CASCADE). Whatever the program
 * leaves must still satisfy them before it commits.
 */
function applyProgram(db: Database.Database, migration: ProgramMigration): void {
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      migration.apply(db);
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        throw new MigrationError(`migration ${migration.version} (${migration.name}) left ${violations.length} rows breaking a foreign key`);
      }
      db.pragma(`user_version = ${migration.version}`);
    })();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys}`);
  }
}
