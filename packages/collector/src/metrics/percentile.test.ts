import { describe, expect, it } from 'vitest';
import { mean, percentileCont } from './percentile.js';

describe('percentileCont', () => {
  it('interpolates between the ranks around p·(n−1), whatever the order of the values', () => {
    const values = Float64Array.from([3000, 1000, 2000, 500]);
    // sorted: 500 1000 2000 3000; p50 rank 1.5 → 1500; p95 rank 2.85 → 2850; p99 rank 2.97 → 2970
    expect(percentileCont(values, 0.5)).toBe(1500);
    expect(percentileCont(values, 0.95)).toBeCloseTo(2850, 9);
    expect(percentileCont(values, 0.99)).toBeCloseTo(2970, 9);
  });

  it('answers the value itself on an exact rank, also with repeated values', () => {
    expect(percentileCont(Float64Array.from([7, 7, 7, 1, 7]), 0.5)).toBe(7);
    expect(percentileCont(Float64Array.from([4, 1, 3, 2, 5]), 0.5)).toBe(3);
    expect(percentileCont(Float64Array.from([42]), 0.99)).toBe(42);
    expect(percentileCont(Float64Array.from([9, 9, 1, 1]), 1)).toBe(9);
    expect(percentileCont(Float64Array.from([9, 9, 1, 1]), 0)).toBe(1);
  });

  it('matches a sort on a larger shuffled set', () => {
    const values = Float64Array.from({ length: 1001 }, (_, index) => (index * 7919) % 1001);
    // a permutation of 0…1000: the value at rank r is r
    expect(percentileCont(values, 0.5)).toBe(500);
    expect(percentileCont(values, 0.95)).toBe(950);
    expect(percentileCont(values, 0.999)).toBeCloseTo(999, 9);
  });
});

describe('mean', () => {
  it('keeps small values next to large ones', () => {
    expect(mean(Float64Array.from([1e20, 1, -1e20, 3]))).toBe(1);
    expect(mean(Float64Array.from([1000, 2000, 1500]))).toBe(1500);
  });
});
