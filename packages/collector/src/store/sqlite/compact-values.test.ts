import { describe, expect, it } from 'vitest';
import { CompactValuesError, CompactValuesWriter, readCompactLists, readCompactValues, writeCompactValues } from './compact-values.js';

const roundTrip = (values: number[], width = 1): number[] => [...readCompactValues(writeCompactValues(values, width))];
const same = (actual: number[], expected: number[]): void => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, index) => expect(Object.is(value, expected[index]), `value ${index}: ${value} for ${expected[index]}`).toBe(true));
};

describe('compact value lists', () => {
  it('reads back every value as the same double', () => {
    const integers = [0, 1, -1, 63, 64, -64, 127, 128, 255, 256, 65_535, 65_536, 2 ** 24, 2 ** 31, -(2 ** 31), 2 ** 32 + 5, 2 ** 50, -(2 ** 50)];
    same(roundTrip(integers), integers);
    const others = [2 ** 50 + 2, -(2 ** 52), 0.5, -0.25, 0.1 + 0.2, 1e-300, 1e300, -0, Number.NaN, Infinity, -Infinity, 7];
    same(roundTrip(others), others);
    // Integers spread over 2^48 or more take a binary64 column.
    same(roundTrip([-(2 ** 50), 2 ** 50]), [-(2 ** 50), 2 ** 50]);
  });

  it('stores each column in the bytes its spread needs, entry after entry on reading', () => {
    // Entries (ordinal, prompts): ordinals 1000–1300 in two bytes above 1000, prompts all 3 in none.
    const entries = [1000, 3, 1300, 3, 1200, 3];
    const list = writeCompactValues(entries, 2);
    // mark, 3 entries, width 2; column 1: 2 bytes, base 2000 (zigzag of 1000) as a varint, distances 0, 300, 200; column 2: 0 bytes, base 6.
    expect(list.toString('hex')).toBe('ff' + '03' + '02' + '02' + 'd00f' + '0000' + '2c01' + 'c800' + '00' + '06');
    same([...readCompactValues(list)], entries);
    // A column of fractions: binary64, little-endian.
    expect(writeCompactValues([0.5], 1).toString('hex')).toBe('ff' + '01' + '01' + 'f8' + '000000000000e03f');
    // A negative base.
    same(roundTrip([-5, -3, -4]), [-5, -3, -4]);
    expect(writeCompactValues([-5, -3], 1).toString('hex')).toBe('ff' + '02' + '01' + '01' + '09' + '00' + '02');
    // An empty list: the mark, no entries, its width.
    expect(writeCompactValues([], 4).toString('hex')).toBe('ff' + '00' + '04');
    expect([...readCompactValues(writeCompactValues([], 4))]).toEqual([]);
  });

  it('writes entry by entry through a writer of a given width', () => {
    const writer = new CompactValuesWriter(3);
    for (const value of [1, 2.5, 300, 2, 3.5, 70_000]) writer.add(value);
    same([...readCompactValues(writer.bytes())], [1, 2.5, 300, 2, 3.5, 70_000]);
    expect(() => writeCompactValues([1, 2, 3], 2)).toThrow(/width 2 cannot hold 3 values/);
    expect(() => new CompactValuesWriter(0)).toThrow(/1–255 values/);
  });

  it('reads a list that is a view into a larger buffer at any offset', () => {
    const list = writeCompactValues([5, 0.75, 300000, -7], 2);
    const padded = Buffer.concat([Buffer.from([1, 2, 3]), list, Buffer.from([9])]);
    same([...readCompactValues(padded.subarray(3, 3 + list.length))], [5, 0.75, 300000, -7]);
  });

  it('reads several lists at once, each as its own values', () => {
    const lists: [number[], number][] = [[[1, 2.5, -3], 3], [[], 2], [[2 ** 40, 0], 1], [[7], 1]];
    expect(readCompactLists(lists.map(([values, width]) => writeCompactValues(values, width))).map((values) => [...values])).toEqual(lists.map(([values]) => values));
    expect(readCompactLists([])).toEqual([]);
  });

  it('reads many and large lists, which share arrays of a bounded size', () => {
    const lists = [3000, 4000, 20_000, 1, 8192, 3000].map((length, list) => Array.from({ length }, (_, index) => list * 100_000 + index));
    const decoded = readCompactLists(lists.map((values) => writeCompactValues(values, 1)));
    expect(decoded.map((values) => [...values])).toEqual(lists);
    // The first two share an array, the third has its own.
    expect(decoded[1]?.buffer).toBe(decoded[0]?.buffer);
    expect(decoded[2]?.buffer).not.toBe(decoded[1]?.buffer);
  });

  it('reads long lists', () => {
    const values = Array.from({ length: 6000 }, (_, index) => (index % 3 === 0 ? index / 8 : index * 1000 - 5_000_000));
    expect([...readCompactValues(writeCompactValues(values, 3))]).toEqual(values);
  });

  it('refuses a list without the mark, as the lists before migration 046 were, and malformed ones', () => {
    const binary64 = Buffer.alloc(8);
    binary64.writeDoubleBE(12, 0);
    expect(() => readCompactValues(binary64)).toThrow(CompactValuesError);
    expect(() => readCompactValues(binary64)).toThrow(/not the mark 0xff/);
    expect(() => readCompactValues(Buffer.alloc(0))).toThrow(/starts with nothing/);
    const bad = (hex: string): (() => Float64Array) => () => readCompactValues(Buffer.from(hex, 'hex'));
    expect(bad('ff80')).toThrow(/ends inside its count/);
    expect(bad('ff01')).toThrow(/ends before its width/);
    expect(bad('ff0100')).toThrow(/entries of no values/);
    expect(bad('ff0102')).toThrow(/2 columns in 0 bytes/);
    expect(bad('ff' + 'ffffffff0f' + '01' + '00')).toThrow(/more than 268435456 values/);
    expect(bad('ff0101' + '07' + '00')).toThrow(/unknown column kind 7/);
    expect(bad('ff0201' + '01' + '00' + '05')).toThrow(/ends inside column 0/);
    expect(bad('ff0101' + 'f8' + '0000')).toThrow(/ends inside column 0/);
    expect(bad('ff0101' + '01' + '80')).toThrow(/ends inside the base of column 0/);
    expect(bad('ff0102' + '0000')).toThrow(/ends before column 1/);
    expect(bad('ff0101' + '0000' + '00')).toThrow(/holds 1 bytes after its 1 entries/);
  });
});
