import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createMultiRowUpsert } from './multi-row-upsert.js';

/** Many rows per statement, with the effects of one upsert per row in the order given. */

function openCounts(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE counts (name TEXT PRIMARY KEY, count INTEGER NOT NULL, last TEXT NOT NULL) WITHOUT ROWID');
  return db;
}

describe('multi-row upsert', () => {
  it('writes every row of any count, merging a key met again in a later statement', () => {
    const db = openCounts();
    const upsert = createMultiRowUpsert(db, {
      insert: 'INSERT INTO counts (name, count, last)',
      columns: 3,
      onConflict: 'ON CONFLICT (name) DO UPDATE SET count = count + excluded.count, last = excluded.last',
    });
    // 203 rows: statements of 64, 64, 64, 8, 2 and 1 rows; the names repeat every 100 rows.
    upsert(Array.from({ length: 203 }, (_, index) => [`n-${index % 100}`, 1, `row ${index}`]));

    expect(db.prepare('SELECT COUNT(*) FROM counts').pluck().get()).toBe(100);
    expect(db.prepare('SELECT name, count, last FROM counts WHERE name IN (?, ?, ?) ORDER BY name').all('n-0', 'n-2', 'n-3')).toEqual([
      { name: 'n-0', count: 3, last: 'row 200' },
      { name: 'n-2', count: 3, last: 'row 202' },
      { name: 'n-3', count: 2, last: 'row 103' },
    ]);
    db.close();
  });

  it('writes nothing for no rows', () => {
    const db = openCounts();
    createMultiRowUpsert(db, { insert: 'INSERT INTO counts (name, count, last)', columns: 3, onConflict: 'ON CONFLICT DO NOTHING' })([]);
    expect(db.prepare('SELECT COUNT(*) FROM counts').pluck().get()).toBe(0);
    db.close();
  });
});
