import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError } from './migrate.js';
import type { Migration } from './migrations/migration.js';

const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

const PARENT_AND_CHILD: Migration = {
  version: 1,
  name: 'a parent and a child that references it',
  sql: `CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE);
        INSERT INTO parent (id) VALUES (1); INSERT INTO child (id, parent_id) VALUES (10, 1);`,
};

function open(): Database.Database {
  const db = new Database(':memory:');
  databases.push(db);
  db.pragma('foreign_keys = ON');
  migrate(db, [PARENT_AND_CHILD]);
  return db;
}

describe('program migrations', () => {
  it('run with foreign keys off, so rebuilding a referenced table keeps the rows that reference it', () => {
    const db = open();
    const rebuild: Migration = {
      version: 2,
      name: 'rebuild the parent',
      apply(database) {
        database.exec(`CREATE TABLE parent_rebuilt (id INTEGER PRIMARY KEY, note TEXT);
                       INSERT INTO parent_rebuilt (id) SELECT id FROM parent;
                       DROP TABLE parent; ALTER TABLE parent_rebuilt RENAME TO parent;`);
      },
    };
    migrate(db, [PARENT_AND_CHILD, rebuild]);
    expect(db.prepare('SELECT id, parent_id FROM child').raw().all()).toEqual([[10, 1]]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('roll back and throw a MigrationError when they leave a row breaking a foreign key', () => {
    const db = open();
    const orphan: Migration = { version: 2, name: 'lose the parent', apply: (database) => database.exec('DELETE FROM parent') };
    expect(() => migrate(db, [PARENT_AND_CHILD, orphan])).toThrow(MigrationError);
    expect(db.prepare('SELECT COUNT(*) FROM parent').pluck().get()).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});
