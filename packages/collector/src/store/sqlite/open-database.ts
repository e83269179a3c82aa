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
    if (!readonly) migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw toStoreOpenError(path, error);
  }
}
