import { describe, expect, it } from 'vitest';
import { breakdownParam, groupByValue } from './breakdown.js';

const add = (a: number, b: number) => a + b;

describe('breakdown values', () => {
  it('keeps the 10 values with most users and pools the rest as other', () => {
    const users = Array.from({ length: 12 }, (_, index) => ({ key: `v${String(index).padStart(2, '0')}`, count: 20 - index }));
    const rows = users.map((row) => ({ key: row.key, rows: row.count * 100 }));
    const groups = groupByValue({ by: 'trait', trait: 'plan' }, users, rows, add, () => 0);
    expect(groups.map((group) => [group.value, group.users, group.rows])).toEqual([
      ['v00', 20, 2000], ['v01', 19, 1900], ['v02', 18, 1800], ['v03', 17, 1700], ['v04', 16, 1600],
      ['v05', 15, 1500], ['v06', 14, 1400], ['v07', 13, 1300], ['v08', 12, 1200], ['v09', 11, 1100],
      ['other', 19, 1900],
    ]);
  });

  it('names users without a trait (none) and users without a touch direct, and breaks ties by name', () => {
    expect(groupByValue({ by: 'trait', trait: 'plan' }, [{ key: 'pro', count: 2 }, { key: null, count: 2 }], [], add, () => 0)
      .map((group) => group.value)).toEqual(['(none)', 'pro']);
    expect(groupByValue({ by: 'channel' }, [{ key: null, count: 1 }, { key: 'google', count: 3 }], [{ key: null, rows: 5 }], add, () => 0))
      .toEqual([{ value: 'google', users: 3, rows: 0 }, { value: 'direct', users: 1, rows: 5 }]);
  });

  it('ranks a value whose users were active only before the range with 0 users, instead of calling it other', () => {
    const groups = groupByValue({ by: 'channel' }, [{ key: 'ads', count: 1 }], [{ key: 'ads', rows: 1 }, { key: 'old', rows: 4 }], add, () => 0);
    expect(groups).toEqual([{ value: 'ads', users: 1, rows: 1 }, { value: 'old', users: 0, rows: 4 }]);
  });

  it('reads channel and trait:<name> and nothing else', () => {
    expect(breakdownParam.parse('channel')).toEqual({ by: 'channel' });
    expect(breakdownParam.parse('trait:plan')).toEqual({ by: 'trait', trait: 'plan' });
    expect(breakdownParam.safeParse('trait:').success).toBe(false);
    expect(breakdownParam.safeParse('trait:a"b').success).toBe(false);
    expect(breakdownParam.safeParse('model').success).toBe(false);
  });
});
