import type Database from 'better-sqlite3';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import { ChatmeterError } from '../../chatmeter-error.js';

/** Thrown when the database was written by a newer collector than this one. */
export class SchemaVersionError extends ChatmeterError {
  override name = 'SchemaVersionError';
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
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return latest;
}
