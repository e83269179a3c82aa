/**
 * Token buckets, one per key (a write key, a client IP), in memory.
 *
 * Each bucket holds up to `burst` tokens and refills at `ratePerSecond`; a
 * request takes one. Memory is bounded: buckets live in a Map kept in
 * least-recently-used order, and past `maxBuckets` the idlest is dropped (a
 * dropped key starts again with a full bucket, which an idle key would have
 * refilled to anyway unless it was idle for less than `burst / rate` seconds).
 */
export interface TokenBuckets {
  /** Takes a token for `key`: 0 when allowed, else the whole seconds until one is free. */
  take(key: string): number;
  /** How many buckets are held (for tests and metrics). */
  readonly size: number;
}

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** 100,000 buckets ≈ 10 MB: enough for every client of a busy collector. */
  maxBuckets?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function createTokenBuckets(options: TokenBucketOptions): TokenBuckets {
  const { ratePerSecond, burst } = options;
  const maxBuckets = options.maxBuckets ?? 100_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  return {
    take(key) {
      const at = now();
      const held = buckets.get(key);
      const elapsedSeconds = held === undefined ? 0 : Math.max(0, at - held.updatedAt) / 1000;
      const tokens = held === undefined ? burst : Math.min(burst, held.tokens + elapsedSeconds * ratePerSecond);
      // Re-inserting moves the key to the most recently used end.
      buckets.delete(key);
      if (tokens < 1) {
        buckets.set(key, { tokens, updatedAt: at });
        return Math.max(1, Math.ceil((1 - tokens) / ratePerSecond));
      }
      buckets.set(key, { tokens: tokens - 1, updatedAt: at });
      if (buckets.size > maxBuckets) {
        const idlest = buckets.keys().next().value;
        if (idlest !== undefined) buckets.delete(idlest);
      }
      return 0;
    },
    get size() {
      return buckets.size;
    },
  };
}
