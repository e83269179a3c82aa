import { describe, expect, it } from 'vitest';
import { valuesByKey } from './values-by-key.js';

const split = (values: number[], keys: (string | null)[], counts: number[]): [string | null, number[]][] =>
  [...valuesByKey(Float64Array.from(values), keys, counts)].map(([key, group]) => [key, [...group]]);

describe('valuesByKey', () => {
  it('gives each key the values of its rows, in row order, keys in SQLite order', () => {
    expect(split([1, 2, 3, 4, 5, 6], ['b', 'a', 'a', 'b', null], [2, 1, 0, 2, 1])).toEqual([
      [null, [6]],
      ['a', [3]],
      ['b', [1, 2, 4, 5]],
    ]);
  });

  it('keeps keys apart whatever characters they hold', () => {
    expect(split([1, 2, 3], ['a,"b"', 'a', '<img src=x>\u001f'], [1, 1, 1])).toEqual([
      ['<img src=x>\u001f', [3]],
      ['a', [2]],
      ['a,"b"', [1]],
    ]);
  });

  it('returns one key with all the values', () => {
    expect(split([7, 8], ['m', 'm'], [1, 1])).toEqual([['m', [7, 8]]]);
  });

  it('returns no key for no rows', () => {
    expect(split([], [], [])).toEqual([]);
  });
});
