import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';

/**
 * Opens a fresh, empty engine for one test app. `directory` is a new
 * temporary directory, removed when the app closes: an engine with files
 * keeps them there, a networked one may ignore it (and use a fresh database).
 */
export type StoreFactory<S extends Store = Store> = (directory: string) => S | Promise<S>;

/** The embedded engine: one SQLite file in the test's directory, opened as `start` opens it (its writer thread ready). */
export const createSqliteTestStore: StoreFactory<SqliteStore> = (directory) => SqliteStore.open({ path: sqliteTestPath(directory) });

/** Where `createSqliteTestStore` keeps its file, for tests that read it directly. */
export function sqliteTestPath(directory: string): string {
  return join(directory, 'test.db');
}

/**
 * For unit tests of the SQLite engine: `openStore()` gives an empty in-memory
 * store whose background fold is off (a metric read folds what it needs), and
 * every store opened in a test is closed after it.
 */
export function inMemoryStores(): () => SqliteStore {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  return () => {
    const store = new SqliteStore({ path: ':memory:', rollups: { background: false } });
    stores.push(store);
    return store;
  };
}

/**
 * For SQLite tests that reopen a file (an upgrade from an older migration):
 * `path()` is a new database path in its own temporary directory, `keep()`
 * closes a store after the test; directories are removed after each test.
 */
export function temporaryDatabases(): { path(): string; keep<S extends SqliteStore>(store: S): S } {
  const directories: string[] = [];
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return {
    path() {
      const directory = mkdtempSync(join(tmpdir(), 'chatmeter-sqlite-'));
      directories.push(directory);
      return join(directory, 'events.db');
    },
    keep(store) {
      stores.push(store);
      return store;
    },
  };
}
