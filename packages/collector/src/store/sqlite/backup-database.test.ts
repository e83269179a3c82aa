import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BackupError, backupDatabase } from './backup-database.js';

describe('backupDatabase', () => {
  it('never replaces a file that appeared under the target name while it copied: of two backups to one name, one fails', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'chatmeter-backup-'));
    const source = join(directory, 'source.db');
    const db = new Database(source);
    db.exec('CREATE TABLE t (x BLOB)');
    // Big enough that both copies are under way at once.
    const insert = db.prepare('INSERT INTO t VALUES (randomblob(4000))');
    db.transaction(() => {
      for (let i = 0; i < 2_000; i += 1) insert.run();
    })();
    db.close();
    const target = join(directory, 'copy.db');
    const outcomes = await Promise.allSettled([backupDatabase(source, target), backupDatabase(source, target)]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(BackupError);
    expect(String(failure.reason.message)).toContain('already exists');
  });
});
