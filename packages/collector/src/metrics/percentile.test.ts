import { describe, expect, it } from 'vitest';
import { createRandom } from '../demo/random.js';
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

describe('percentilesCont on large sets (counted into buckets)', () => {
  /** PERCENTILE_CONT from a full sort, the definition. */
  function sortedPercentile(values: Float64Array, p: number): number {
    const sorted = Float64Array.from(values).sort();
    const rank = p * (sorted.length - 1);
    const lower = sorted[Math.floor(rank)] as number;
    return lower + ((sorted[Math.ceil(rank)] as number) - lower) * (rank - Math.floor(rank));
  }

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`answers as a sort does, values of any sign and spread, repeated or not (seed ${seed})`, () => {
      const random = createRandom(seed);
      const length = random.int(4096, 60_000);
      const spread = random.pick([1, 1e-3, 1e6]);
      const values = Float64Array.from({ length }, () => {
        if (random.chance(0.2)) return random.int(-3, 3);
        const value = (random.int(0, 1_000_000) / 1000) * spread;
        return random.chance(0.3) ? -value : value;
      });
      const ps = [0, 0.01, 0.5, 0.5, 0.95, 0.99, 0.999, 1];
      const expected = ps.map((p) => sortedPercentile(values, p));
      expect(percentilesCont(Float64Array.from(values), ps)).toEqual(expected);
      expect(percentileCont(Float64Array.from(values), 0.5)).toBe(expected[2]);
    });
  }

  it('selects within one bucket when every value falls in it', () => {
    const values = Float64Array.from({ length: 10_000 }, (_, index) => 1000 + ((index * 7919) % 10_000) / 1e6);
    const expected = [sortedPercentile(values, 0.5), sortedPercentile(values, 0.95)];
    expect(percentilesCont(values, [0.5, 0.95])).toEqual(expected);
  });
});

describe('mean', () => {
  it('keeps small values next to large ones', () => {
    expect(mean(Float64Array.from([1e20, 1, -1e20, 3]))).toBe(1);
    expect(mean(Float64Array.from([1000, 2000, 1500]))).toBe(1500);
  });

  /** Neumaier's summation written out term by term from its definition, in array order. */
  function neumaierMean(values: readonly number[]): number {
    let sum = 0;
    let compensation = 0;
    values.forEach((value) => {
      const next = sum + value;
      if (Math.abs(sum) >= Math.abs(value)) compensation += sum - next + value;
      else compensation += value - next + sum;
      sum = next;
    });
    return (sum + compensation) / values.length;
  }

  for (const seed of [1, 2, 3]) {
    it(`sums in array order exactly as Neumaier's summation, to the bit (seed ${seed})`, () => {
      const random = createRandom(seed * 31);
      const values = Array.from({ length: random.int(1000, 20_000) }, () => {
        const magnitude = random.pick([1e-6, 1, 1e3, 1e12, 1e20]);
        const value = (random.int(0, 1_000_000) / 999_983) * magnitude;
        return random.chance(0.3) ? -value : value;
      });
      expect(Object.is(mean(Float64Array.from(values)), neumaierMean(values))).toBe(true);
    });
  }
});
