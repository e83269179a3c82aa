import { describe, expect, it } from 'vitest';
import { Float64ValuesConcat, readFloat64Values, writeFloat64Values } from './float64-values.js';

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

describe('writeFloat64Values', () => {
  it('writes values as big-endian binary64 and leaves the values as they were', () => {
    const values = new Float64Array([1234, 0.1 + 0.2, -5]);
    expect(writeFloat64Values(values).toString('hex')).toBe('4093480000000000' + '3fd3333333333334' + 'c014000000000000');
    expect([...values]).toEqual([1234, 0.1 + 0.2, -5]);
  });
});

describe('Float64ValuesConcat', () => {
  it('reads several lists as one, in the order they were appended', () => {
    const concat = new Float64ValuesConcat(32);
    concat.append(Buffer.from('4093480000000000' + '3fd3333333333334', 'hex'));
    concat.append(Buffer.from('', 'hex'));
    concat.append(Buffer.from('c014000000000000' + '4089640000000000', 'hex'));
    expect([...concat.values()]).toEqual([1234, 0.1 + 0.2, -5, 812.5]);
  });

  it('reads lists of little-endian int32 between binary64 ones, in order', () => {
    const concat = new Float64ValuesConcat(32);
    concat.append(Buffer.from('4093480000000000', 'hex'));
    concat.appendInt32(Buffer.from('07000000' + 'ffffffff', 'hex'));
    concat.append(Buffer.from('4089640000000000', 'hex'));
    expect([...concat.values()]).toEqual([1234, 7, -1, 812.5]);
  });

  it('reads a list that does not start on an 8-byte boundary', () => {
    const padded = Buffer.from('ff' + '4093480000000000', 'hex');
    const concat = new Float64ValuesConcat(8);
    concat.append(padded.subarray(1));
    expect([...concat.values()]).toEqual([1234]);
  });

  it('refuses a size that is not a whole number of values', () => {
    expect(() => new Float64ValuesConcat(12)).toThrow('value lists hold whole 8-byte values, got 12 bytes');
  });

  it('refuses more bytes than announced, and fewer', () => {
    const over = new Float64ValuesConcat(8);
    expect(() => over.append(Buffer.alloc(16))).toThrow('value lists hold more than the 8 bytes announced');
    const under = new Float64ValuesConcat(16);
    under.append(Buffer.alloc(8));
    expect(() => under.values()).toThrow('value lists hold 8 of the 16 bytes announced');
  });
});
