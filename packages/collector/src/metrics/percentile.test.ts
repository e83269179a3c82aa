import { describe, expect, it } from 'vitest';
import { mean, percentileCont, percentilesCont } from './percentile.js';

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

describe('percentilesCont', () => {
  it('answers several percentiles of one set as percentileCont answers each', () => {
    const values = Float64Array.from({ length: 1001 }, (_, index) => (index * 7919) % 1001);
    // a permutation of 0…1000: the value at rank r is r; p97.25 at rank 972.5 → 972.5
    const [p50, p95, p9725] = percentilesCont(values, [0.5, 0.95, 0.9725]);
    expect(p50).toBe(500);
    expect(p95).toBe(950);
    expect(p9725).toBeCloseTo(972.5, 9);
  });

  it('interpolates with repeated values and with percentiles that share a rank', () => {
    // sorted: 1 2 2 2 10; p50 rank 2 → 2; p95 rank 3.8 → 2 + 0.8 × 8; p99 rank 3.96 → 2 + 0.96 × 8
    const [p50, p95, p99] = percentilesCont(Float64Array.from([10, 2, 1, 2, 2]), [0.5, 0.95, 0.99]);
    expect(p50).toBe(2);
    expect(p95).toBeCloseTo(8.4, 9);
    expect(p99).toBeCloseTo(9.68, 9);
    expect(percentilesCont(Float64Array.from([3, 1, 2]), [0.9, 0.95])).toEqual([2.8, 2.9]);
  });

  it('refuses percentiles out of ascending order', () => {
    expect(() => percentilesCont(Float64Array.from([1, 2, 3]), [0.99, 0.1])).toThrow('percentilesCont takes p in ascending order, got 0.99, 0.1');
  });
});

describe('mean', () => {
  it('keeps small values next to large ones', () => {
    expect(mean(Float64Array.from([1e20, 1, -1e20, 3]))).toBe(1);
    expect(mean(Float64Array.from([1000, 2000, 1500]))).toBe(1500);
  });
});
