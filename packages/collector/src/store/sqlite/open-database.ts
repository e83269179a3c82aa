import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { toStoreOpenError } from './sqlite-errors.js';

/**
 * Opens the file, sets the pragmas every connection needs and migrates.
 * Any engine failure (missing or read-only directory, a file that is not a
 * database) becomes a StoreOpenError naming the path.
 */
export function openDatabase(path: string, readonly: boolean): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly });
  } catch (error) {
    // better-sqlite3 checks the directory itself and throws a TypeError for a missing one.
    if (error instanceof TypeError) throw toStoreOpenError(path, new Database.SqliteError(error.message, 'SQLITE_CANTOPEN'));
    throw toStoreOpenError(path, error);
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before we acknowledge, so even power loss
    // cannot drop an acknowledged batch (NORMAL would survive only kill -9).
    db.pragma('synchronous = FULL');
    // Erased prompt texts are overwritten with zeros, not merely unlinked.
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      // A statement that may fail midway inside a transaction keeps a journal
      // of the pages it changes; SQLite spills one past 64 KiB to a temporary
      // file, created, written and deleted again. Each fold batch's INSERT
      // into the fold view (its triggers run for every event of the batch) is
      // such a statement. Kept in memory instead: a 30,000-event build made
      // 113 such files and 52,000 more page writes (a third of all), and the
      // fold of a 300,000-event build took 12.6 / 11.7 → 11.3 / 11.0 s
      // (alternate runs, 2026-12-03). Readers keep the default, so that a
      // large GROUP BY may still spill its temporary b-tree to disk.
      db.pragma('temp_store = MEMORY');
      migrate(db);
    }
    return db;
  } catch (error) {
    db.close();
    throw toStoreOpenError(path, error);
  }
}
