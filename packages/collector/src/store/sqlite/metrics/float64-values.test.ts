import { describe, expect, it } from 'vitest';
import { readFloat64Values } from './float64-values.js';

const read = (hex: string): number[] => [...readFloat64Values(Buffer.from(hex, 'hex'))];

describe('readFloat64Values', () => {
  it('reads big-endian binary64 values in their stored order', () => {
    expect(read('4093480000000000' + '3fd3333333333334' + 'c014000000000000')).toEqual([1234, 0.1 + 0.2, -5]);
  });

  it('reads the extremes of the format exactly', () => {
    expect(read('0000000000000001' + '7fefffffffffffff' + '0000000000000000')).toEqual([5e-324, Number.MAX_VALUE, 0]);
  });

  it('reads bytes that do not start on an 8-byte boundary', () => {
    const padded = Buffer.from('ff' + '4093480000000000' + '4089640000000000', 'hex');
    expect([...readFloat64Values(padded.subarray(1))]).toEqual([1234, 812.5]);
  });

  it('reads an empty list as no values', () => {
    expect(read('')).toEqual([]);
  });

  it('refuses a list that is not a whole number of values', () => {
    expect(() => read('40934800')).toThrow('a value list holds whole 8-byte values, got 4 bytes');
  });
});
