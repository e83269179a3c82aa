/**
 * A seeded random source for demo data. Math.random cannot be seeded, and the
 * demo must be reproducible: the same seed gives the same events, so a test
 * or a screenshot can rely on them.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  /** One item of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** Log-normal with the given median; `sigma` is the spread of its logarithm. */
  logNormal(median: number, sigma: number): number;
  /** One key of `weights`, drawn in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  /** One index of `weights`, drawn in proportion to its weight. */
  weightedIndex(weights: readonly number[]): number;
  /** Puts `items` in a uniformly random order, in place (Fisher–Yates), and returns them. */
  shuffle<T>(items: T[]): T[];
}

/** mulberry32: tiny, fast and good enough for synthetic data (not for secrets). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    // Box–Muller; 1 − u keeps the logarithm away from 0.
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
      const keys = Object.keys(weights) as K[];
      return keys[weightedIndex(next, keys.map((key) => weights[key]))] as K;
    },
    weightedIndex: (weights) => weightedIndex(next, weights),
    shuffle<T>(items: T[]): T[] {
      for (let index = items.length - 1; index > 0; index -= 1) {
        const other = Math.floor(next() * (index + 1));
        [items[index], items[other]] = [items[other] as T, items[index] as T];
      }
      return items;
    },
  };
}

function weightedIndex(next: () => number, weights: readonly number[]): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let draw = next() * total;
  for (let index = 0; index < weights.length; index++) {
    draw -= weights[index] ?? 0;
    if (draw < 0) return index;
  }
  // Rounding can leave a sliver of `draw`; the last index owns it.
  return weights.length - 1;
}

/**
 * Derives an independent seed for one stream (e.g. one user) from the demo
 * seed, so that a user's events do not depend on how many users come before.
 * The murmur3 finaliser spreads neighbouring inputs across all 32 bits.
 */
export function deriveSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream >>> 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
