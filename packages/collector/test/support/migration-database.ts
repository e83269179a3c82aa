import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { SqliteMetrics } from '../../src/store/sqlite/metrics/sqlite-metrics.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { migrations, type Migration } from '../../src/store/sqlite/migrations/index.js';
import { RollupMaterializer } from '../../src/store/sqlite/rollup-materializer.js';

/** In-memory databases for the test of one migration, each closed after the test that opened it. */
export interface DatabasesBefore {
  /** A database migrated up to just before `migration`, as a file written by the collector before it would be. */
  (migration: Migration): Database.Database;
  /** A copy of `before` migrated to the latest version, as the collector leaves that file when it upgrades it. */
  upgraded(before: Database.Database): Database.Database;
  /** An empty database at the latest version, as the new code creates one. */
  fresh(): Database.Database;
}

export function databasesBefore(): DatabasesBefore {
  const databases: Database.Database[] = [];
  afterEach(() => {
    for (const db of databases.splice(0)) db.close();
  });
  const open = (db: Database.Database, upTo: readonly Migration[]): Database.Database => {
    databases.push(db);
    migrate(db, upTo);
    return db;
  };
  const before = (migration: Migration): Database.Database =>
    open(new Database(':memory:'), migrations.filter((earlier) => earlier.version < migration.version));
  return Object.assign(before, {
    upgraded: (db: Database.Database) => open(new Database(db.serialize()), migrations),
    fresh: () => open(new Database(':memory:'), migrations),
  });
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
