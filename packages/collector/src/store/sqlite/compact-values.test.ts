import { describe, expect, it } from 'vitest';
import { CompactValuesError, readCompactLists, readCompactValues, writeCompactValues } from './compact-values.js';

const roundTrip = (values: number[]): number[] => [...readCompactValues(writeCompactValues(values))];

describe('compact value lists', () => {
  it('reads back every value as the same double', () => {
    const values = [
      0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 + 5, 2 ** 50, -(2 ** 50),
      2 ** 50 + 2, -(2 ** 52), 2 ** 53 + 2, 0.5, -0.25, 0.1 + 0.2, 1e-300, 1e300, -0, Number.NaN, Infinity, -Infinity,
    ];
    const back = roundTrip(values);
    expect(back).toHaveLength(values.length);
    back.forEach((value, index) => expect(Object.is(value, values[index])).toBe(true));
  });

  it('writes the mark and the count, then small integers in a byte or two, other numbers in nine', () => {
    expect(writeCompactValues([]).toString('hex')).toBe('ff' + '00');
    // 0 → 0, -1 → 2, 1 → 4, 31 → 124 (one byte each); 32 → 128 (two bytes).
    expect(writeCompactValues([0, -1, 1, 31, 32]).toString('hex')).toBe('ff' + '05' + '00' + '02' + '04' + '7c' + '8001');
    expect(writeCompactValues([0.5]).toString('hex')).toBe('ff' + '01' + '01' + '3fe0000000000000');
    expect(writeCompactValues([-0]).toString('hex')).toBe('ff' + '01' + '01' + '8000000000000000');
    expect(writeCompactValues([2 ** 50]).length).toBe(2 + 8);
    expect(writeCompactValues([2 ** 50 + 2]).length).toBe(2 + 9);
    // A count of 200 takes two bytes.
    expect(writeCompactValues(new Array<number>(200).fill(7)).subarray(0, 4).toString('hex')).toBe('ff' + 'c801' + '1c');
  });

  it('reads a list that is a view into a larger buffer at any offset', () => {
    const list = writeCompactValues([5, 0.75, 300000, -7]);
    const padded = Buffer.concat([Buffer.from([1, 2, 3]), list, Buffer.from([9])]);
    expect([...readCompactValues(padded.subarray(3, 3 + list.length))]).toEqual([5, 0.75, 300000, -7]);
  });

  it('reads long lists, and each read is its own array', () => {
    const values = Array.from({ length: 5000 }, (_, index) => (index % 3 === 0 ? index / 8 : index * 1000));
    const first = readCompactValues(writeCompactValues(values));
    const second = readCompactValues(writeCompactValues([1, 2, 3]));
    expect([...first]).toEqual(values);
    expect([...second]).toEqual([1, 2, 3]);
  });

  it('reads several lists at once, each as its own values', () => {
    const lists = [[1, 2.5, -3], [], [2 ** 40, 0], [7]];
    expect(readCompactLists(lists.map((list) => writeCompactValues(list))).map((values) => [...values])).toEqual(lists);
    expect(readCompactLists([])).toEqual([]);
  });

  it('refuses a list without the mark, as the lists before migration 046 were, and malformed ones', () => {
    const binary64 = Buffer.alloc(8);
    binary64.writeDoubleBE(12, 0);
    expect(() => readCompactValues(binary64)).toThrow(CompactValuesError);
    expect(() => readCompactValues(binary64)).toThrow(/not the mark 0xff/);
    expect(() => readCompactValues(Buffer.alloc(0))).toThrow(/starts with nothing/);
    expect(() => readCompactValues(Buffer.from('ff80', 'hex'))).toThrow(/ends inside its count/);
    expect(() => readCompactValues(Buffer.from('ff0500', 'hex'))).toThrow(/counts 5 values in 1 bytes/);
    expect(() => readCompactValues(Buffer.from('ff03' + '8001' + '02', 'hex'))).toThrow(/ends after 2 of its 3 values/);
    expect(() => readCompactValues(Buffer.from('ff01' + '0000', 'hex'))).toThrow(/holds 1 bytes after its 1 values/);
    expect(() => readCompactValues(Buffer.from('ff01' + '80', 'hex'))).toThrow(/ends inside value 0/);
    expect(() => readCompactValues(Buffer.from('ff01' + '013fe0', 'hex'))).toThrow(/ends inside value 0, a binary64/);
    expect(() => readCompactValues(Buffer.from('ff01' + '03', 'hex'))).toThrow(/unknown tag 3/);
    // The tag 1 in two bytes is not a binary64's.
    expect(() => readCompactValues(Buffer.from('ff01' + '8100', 'hex'))).toThrow(/unknown tag 1/);
    expect(() => readCompactValues(Buffer.from('ff01' + '80'.repeat(9) + '01', 'hex'))).toThrow(/longer than 8 bytes/);
  });
});
