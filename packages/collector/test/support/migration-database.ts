import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { SqliteMetrics } from '../../src/store/sqlite/metrics/sqlite-metrics.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { migrations, type Migration } from '../../src/store/sqlite/migrations/index.js';
import { RollupMaterializer } from '../../src/store/sqlite/rollup-materializer.js';

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

/**
 * Metrics over `db` with every stored event folded and every list written, as
 * a running collector's background fold leaves a file: what a migration's test
 * compares between an upgraded database and one written by the new code.
 */
export function foldedMetrics(db: Database.Database): SqliteMetrics {
  const materializer = new RollupMaterializer(db);
  materializer.catchUp();
  materializer.refreshAllLists();
  return new SqliteMetrics(db, () => materializer.catchUp());
}
