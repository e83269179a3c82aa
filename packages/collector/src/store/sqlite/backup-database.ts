import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ChatmeterError } from '../../chatmeter-error.js';

/** Thrown for a backup the operator can fix (a missing database, a target that exists or cannot be written). */
export class BackupError extends ChatmeterError {
  override name = 'BackupError';
}

export interface BackupResult {
  /** Pages copied (the database's page size is 4 KiB unless changed). */
  pages: number;
}

/** Asked after better-sqlite3's first step (100 pages): copy everything left in the next one. */
const ALL_REMAINING_PAGES = 0x7fffffff;

/**
 * Copies a live SQLite database to `targetPath` with SQLite's online backup,
 * from a connection of its own, so the collector keeps ingesting. After a
 * first step of 100 pages the rest are copied in one step; SQLite restarts a
 * backup whose source changed between steps, so the copy is the database as
 * of one commit and every batch is either wholly in it or not at all (in WAL
 * mode the backup's reads do not block writers). The copy is written
 * beside the target (a name of its own per call) and linked into place only
 * when complete, so a crash mid-backup never leaves a partial file under the
 * target's name; the link fails if a file appeared there meanwhile, where a
 * rename would silently replace it.
 */
export async function backupDatabase(sourcePath: string, targetPath: string): Promise<BackupResult> {
  if (!existsSync(sourcePath)) {
    throw new BackupError(`no database at ${sourcePath}; pass the collector's --db (CHATMETER_DB)`);
  }
  if (existsSync(targetPath)) {
    throw new BackupError(`${targetPath} already exists; a backup never overwrites a file, choose a new name`);
  }
  if (!existsSync(dirname(targetPath))) {
    throw new BackupError(`cannot write ${targetPath}: the directory ${dirname(targetPath)} does not exist`);
  }
  let source: Database.Database;
  try {
    source = new Database(sourcePath, { fileMustExist: true });
    // Waits out a checkpoint or a write lock held by the running collector.
    source.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new BackupError(`cannot open database ${sourcePath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const partialPath = `${targetPath}.partial-${process.pid}-${randomUUID()}`;
  try {
    const progress = await source.backup(partialPath, { progress: () => ALL_REMAINING_PAGES });
    try {
      linkSync(partialPath, targetPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new BackupError(`${targetPath} already exists (it appeared while the backup ran); a backup never overwrites a file, choose a new name`);
    }
    return { pages: progress.totalPages };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackupError(`cannot write ${targetPath}: ${reason} (is the directory writable, is there free space?)`, { cause: error });
  } finally {
    rmSync(partialPath, { force: true });
    source.close();
  }
}
