import Database from 'better-sqlite3';
import { StoreOpenError } from '../store-open-error.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';

/**
 * SQLite result codes a retry can outlive: the disk or the database quota
 * is full, another process holds the lock, the file went read-only or the
 * device failed for a moment. Extended codes (SQLITE_IOERR_WRITE…) share
 * their primary code's prefix.
 */
const RETRYABLE_CODES = ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN'];

/** A write error as the store reports it: retryable engine failures become StoreUnavailableError. */
export function toStoreWriteError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const { code } = error;
  if (!RETRYABLE_CODES.some((retryable) => code === retryable || code.startsWith(`${retryable}_`))) return error;
  const reason = code === 'SQLITE_FULL' ? 'the disk or the database size limit is full' : error.message;
  return new StoreUnavailableError(`database write failed (${code}): ${reason}`, { cause: error });
}

/** An open or migration failure as the one-line operator error naming the path. */
export function toStoreOpenError(path: string, error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const permissionProblem = /^SQLITE_(CANTOPEN|READONLY|PERM|AUTH|IOERR)/.test(error.code);
  const hint = permissionProblem ? ' (is the directory writable?)' : '';
  return new StoreOpenError(path, `${error.message}${hint}`, { cause: error });
}
