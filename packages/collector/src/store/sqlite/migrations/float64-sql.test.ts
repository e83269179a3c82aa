import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../demo/random.js';
import { float64BlobSql, float64HexSql } from './float64-sql.js';

const db = new Database(':memory:');
afterAll(() => db.close());
const encode = db.prepare(`SELECT ${float64HexSql('@value')} AS hex`).pluck();
const hexOf = (value: number): string => encode.get({ value }) as string;

/** Node's own encoder: the oracle the SQL must agree with. */
function nodeHex(value: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleBE(value);
  return bytes.toString('hex');
}

describe('float64HexSql', () => {
  it('writes the big-endian binary64 encoding of ordinary values', () => {
    expect(hexOf(1)).toBe('3ff0000000000000');
    expect(hexOf(1234)).toBe('4093480000000000');
    expect(hexOf(812.5)).toBe('4089640000000000');
    expect(hexOf(0.1 + 0.2)).toBe('3fd3333333333334');
    expect(hexOf(-5)).toBe('c014000000000000');
    expect(hexOf(1e20)).toBe('4415af1d78b58c40');
  });

  it('writes the extremes: zero of either sign as +0, subnormals, the largest double', () => {
    expect(hexOf(0)).toBe('0000000000000000');
    expect(hexOf(-0)).toBe('0000000000000000');
    expect(hexOf(5e-324)).toBe('0000000000000001');
    expect(hexOf(-5e-324)).toBe('8000000000000001');
    expect(hexOf(2.225073858507201e-308)).toBe('000fffffffffffff');
    expect(hexOf(2.2250738585072014e-308)).toBe('0010000000000000');
    expect(hexOf(Number.MAX_VALUE)).toBe('7fefffffffffffff');
  });

  it('takes an INTEGER as the double it converts to', () => {
    expect(db.prepare(`SELECT ${float64HexSql('123456789012345678')} AS hex`).pluck().get()).toBe(nodeHex(123456789012345678));
  });

  it('agrees with Node on every power of two and its neighbours, where log2 may round across', () => {
    const mismatches: number[] = [];
    for (let exponent = -1074; exponent <= 1023; exponent += 1) {
      const power = 2 ** exponent;
      for (const value of [power, power * (1 - 2 ** -53), power * (1 + 2 ** -52), -power]) {
        if (Number.isFinite(value) && value !== 0 && hexOf(value) !== nodeHex(value)) mismatches.push(value);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('agrees with Node on random bit patterns and on typical latencies', () => {
    const random = createRandom(20261201);
    const words = new Uint32Array(2);
    const view = new Float64Array(words.buffer);
    const mismatches: number[] = [];
    for (let index = 0; index < 20_000; index += 1) {
      words[0] = random.int(0, 2 ** 32 - 1);
      words[1] = random.int(0, 2 ** 32 - 1);
      const value = view[0] as number;
      if (Number.isFinite(value) && hexOf(value) !== nodeHex(value === 0 ? 0 : value)) mismatches.push(value);
      const latency = random.int(0, 9_000_000) / 10;
      if (hexOf(latency) !== nodeHex(latency)) mismatches.push(latency);
    }
    expect(mismatches).toEqual([]);
  });

  it('gives the same bytes as a BLOB', () => {
    expect(db.prepare(`SELECT ${float64BlobSql('2.0')} AS bytes`).pluck().get()).toEqual(Buffer.from('4000000000000000', 'hex'));
  });
});
