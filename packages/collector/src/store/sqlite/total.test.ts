import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../demo/random.js';
import { createTotal } from './total.js';

/** createTotal() ends where SQLite's TOTAL() of the same values in the same order does. */

function sqliteTotal(values: readonly (number | null)[]): number {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v REAL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (const value of values) insert.run(value);
    return db.prepare('SELECT TOTAL(v) FROM (SELECT v FROM t ORDER BY id)').pluck().get() as number;
  } finally {
    db.close();
  }
}

function total(values: readonly (number | null)[]): number {
  const sum = createTotal();
  for (const value of values) if (value !== null) sum.add(value);
  return sum.value();
}

describe('total', () => {
  it('is 0 for no values', () => {
    expect(total([])).toBe(0);
    expect(total([null, null])).toBe(0);
  });

  it('keeps what plain addition loses between magnitudes far apart', () => {
    expect(total([1e100, 1, -1e100])).toBe(1);
    expect(1e100 + 1 - 1e100).toBe(0);
  });

  for (const seed of [1, 2, 3]) {
    it(`gives the same bits as SQLite's TOTAL (seed ${seed})`, () => {
      const random = createRandom(seed);
      const values = Array.from({ length: 500 }, () =>
        random.chance(0.1) ? null : (random.chance(0.5) ? -1 : 1) * random.int(1, 1_000_000) * 10 ** random.int(-12, 6) / 7,
      );
      expect(total(values)).toBe(sqliteTotal(values));
    });
  }
});
