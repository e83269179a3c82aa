import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { migrations, type Migration } from '../../src/store/sqlite/migrations/index.js';

/**
 * For the test of one migration: `databaseBefore(migration)` opens an
 * in-memory database migrated up to just before it, as a file written by the
 * collector before that migration would be; every database opened in a test
 * is closed after it.
 */
export function databasesBefore(): (migration: Migration) => Database.Database {
  const databases: Database.Database[] = [];
  afterEach(() => {
    for (const db of databases.splice(0)) db.close();
  });
  return (migration) => {
    const db = new Database(':memory:');
    databases.push(db);
    migrate(db, migrations.filter((earlier) => earlier.version < migration.version));
    return db;
  };
}
