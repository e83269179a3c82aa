import { describe, expect, it } from 'vitest';
import { toEventId, toRowId } from './event-ids.js';

describe('SQLite event ids', () => {
  it('hands out a rowid as its decimal string and reads it back', () => {
    expect(toEventId(42)).toBe('42');
    expect(toRowId('42')).toBe(42);
    expect(toRowId(toEventId(9_007_199_254_740_991))).toBe(9_007_199_254_740_991);
  });

  it('rejects ids it cannot have handed out, naming the id', () => {
    for (const id of ['', '0', '-1', '042', '4.2', '1e3', ' 42', 'abc', '9007199254740993']) {
      expect(() => toRowId(id), id).toThrow(RangeError);
    }
    expect(() => toRowId('abc')).toThrow('event id must be the decimal rowid this SQLite store handed out (e.g. "42"), got "abc"');
  });
});
