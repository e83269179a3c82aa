import { describe, expect, it } from 'vitest';
import { parseNumberList } from './number-lists.js';

const parse = (text: string): number[] => [...parseNumberList(Buffer.from(text, 'latin1'))];

describe('parseNumberList', () => {
  it('reads integers and decimals', () => {
    expect(parse('1234,812.5,0,7')).toEqual([1234, 812.5, 0, 7]);
  });

  it('reads what SQLite writes for any REAL back to the same double', () => {
    expect(parse('0.30000000000000004,1.0e+20,-5,123456789012345678,0.1')).toEqual([0.1 + 0.2, 1e20, -5, 123456789012345678, 0.1]);
  });

  it('reads an empty list as no values', () => {
    expect(parse('')).toEqual([]);
  });
});
