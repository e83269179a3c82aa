import { describe, expect, it } from 'vitest';
import { createTokenBuckets } from './token-buckets.js';

describe('token buckets', () => {
  it('allows a burst, then asks the client to wait until a token refills', () => {
    let now = 1_000_000;
    const buckets = createTokenBuckets({ ratePerSecond: 2, burst: 3, now: () => now });
    expect([buckets.take('k'), buckets.take('k'), buckets.take('k')]).toEqual([0, 0, 0]);
    expect(buckets.take('k')).toBe(1);
    now += 500; // one token back at 2 per second
    expect(buckets.take('k')).toBe(0);
    expect(buckets.take('k')).toBe(1);
  });

  it('answers whole seconds for a slow refill', () => {
    const buckets = createTokenBuckets({ ratePerSecond: 0.25, burst: 1, now: () => 0 });
    expect(buckets.take('k')).toBe(0);
    expect(buckets.take('k')).toBe(4);
  });

  it('keeps keys apart', () => {
    const buckets = createTokenBuckets({ ratePerSecond: 1, burst: 1, now: () => 0 });
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1);
    expect(buckets.take('b')).toBe(0);
  });

  it('holds at most maxBuckets buckets, dropping the least recently used', () => {
    const buckets = createTokenBuckets({ ratePerSecond: 1, burst: 1, maxBuckets: 2, now: () => 0 });
    buckets.take('a');
    buckets.take('b');
    buckets.take('a');
    buckets.take('c');
    expect(buckets.size).toBe(2);
    // 'b' was the idlest when 'c' arrived, so it was dropped and starts full again.
    expect(buckets.take('b')).toBe(0);
    // 'c' was kept, so its bucket is still empty.
    expect(buckets.take('c')).toBe(1);
  });
});
