import { describe, expect, it } from 'vitest';
import type { QueuedPrompt } from '../classification/classification-queue.js';
import { createSamplingPolicy, samplingBucket } from './sampling.js';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const DAY_MS = 86_400_000;

function prompt(overrides: Partial<QueuedPrompt> = {}): QueuedPrompt {
  return {
    eventId: '1',
    text: 'where is my order?',
    userKey: 'user-1',
    plan: null,
    firstSeenAt: NOW - 30 * DAY_MS,
    ...overrides,
  };
}

describe('sampling policy', () => {
  it('always classifies users on a listed plan, even at rate 0', () => {
    const shouldClassify = createSamplingPolicy({ rate: 0, alwaysClassifyPlans: ['pro', 'enterprise'] });

    expect(shouldClassify(prompt({ plan: 'pro' }), NOW)).toBe(true);
    expect(shouldClassify(prompt({ plan: 'enterprise' }), NOW)).toBe(true);
    expect(shouldClassify(prompt({ plan: 'free' }), NOW)).toBe(false);
    expect(shouldClassify(prompt({ plan: null }), NOW)).toBe(false);
  });

  it('matches plans exactly', () => {
    const shouldClassify = createSamplingPolicy({ rate: 0, alwaysClassifyPlans: ['pro'] });

    expect(shouldClassify(prompt({ plan: 'Pro' }), NOW)).toBe(false);
    expect(shouldClassify(prompt({ plan: 'pro-trial' }), NOW)).toBe(false);
  });

  it('always classifies users first seen less than 7 days ago by default', () => {
    const shouldClassify = createSamplingPolicy({ rate: 0, alwaysClassifyPlans: [] });

    expect(shouldClassify(prompt({ firstSeenAt: NOW }), NOW)).toBe(true);
    expect(shouldClassify(prompt({ firstSeenAt: NOW - 6 * DAY_MS }), NOW)).toBe(true);
    expect(shouldClassify(prompt({ firstSeenAt: NOW - 7 * DAY_MS + 1 }), NOW)).toBe(true);
    expect(shouldClassify(prompt({ firstSeenAt: NOW - 7 * DAY_MS }), NOW)).toBe(false);
    expect(shouldClassify(prompt({ firstSeenAt: NOW - 8 * DAY_MS }), NOW)).toBe(false);
  });

  it('uses the configured new-user window, and none with 0 days', () => {
    const twoDays = createSamplingPolicy({ rate: 0, alwaysClassifyPlans: [], newUserDays: 2 });
    const noWindow = createSamplingPolicy({ rate: 0, alwaysClassifyPlans: [], newUserDays: 0 });

    expect(twoDays(prompt({ firstSeenAt: NOW - DAY_MS }), NOW)).toBe(true);
    expect(twoDays(prompt({ firstSeenAt: NOW - 3 * DAY_MS }), NOW)).toBe(false);
    expect(noWindow(prompt({ firstSeenAt: NOW }), NOW)).toBe(false);
  });

  it('classifies nobody else at rate 0 and everybody at rate 100', () => {
    const none = createSamplingPolicy({ rate: 0, alwaysClassifyPlans: [] });
    const all = createSamplingPolicy({ rate: 100, alwaysClassifyPlans: [] });

    for (let index = 0; index < 1000; index++) {
      const established = prompt({ userKey: `user-${index}` });
      expect(none(established, NOW)).toBe(false);
      expect(all(established, NOW)).toBe(true);
    }
  });

  it('gives each user the same decision every time', () => {
    const shouldClassify = createSamplingPolicy({ rate: 30, alwaysClassifyPlans: [] });

    for (let index = 0; index < 200; index++) {
      const userKey = `anon-${index}`;
      const first = shouldClassify(prompt({ userKey, eventId: '1' }), NOW);
      expect(shouldClassify(prompt({ userKey, eventId: '2', text: 'another prompt' }), NOW + DAY_MS)).toBe(first);
    }
  });

  it('samples about rate% of 10 000 established users', () => {
    for (const rate of [10, 25, 50]) {
      const shouldClassify = createSamplingPolicy({ rate, alwaysClassifyPlans: [] });
      let sampled = 0;
      for (let index = 0; index < 10_000; index++) {
        if (shouldClassify(prompt({ userKey: `user-${index}@example.com` }), NOW)) sampled++;
      }
      // ±1.5 points: several standard deviations (≤ 0.5 point) for 10 000 users.
      expect(sampled / 100).toBeGreaterThan(rate - 1.5);
      expect(sampled / 100).toBeLessThan(rate + 1.5);
    }
  });

  it('rejects a rate outside 0–100 with the value in the message', () => {
    expect(() => createSamplingPolicy({ rate: 150, alwaysClassifyPlans: [] })).toThrow(/between 0 and 100, got 150/);
    expect(() => createSamplingPolicy({ rate: -1, alwaysClassifyPlans: [] })).toThrow(RangeError);
    expect(() => createSamplingPolicy({ rate: Number.NaN, alwaysClassifyPlans: [] })).toThrow(RangeError);
  });
});

describe('samplingBucket', () => {
  it('is FNV-1a 32-bit of the user key, modulo 100', () => {
    // FNV-1a 32-bit reference values: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(samplingBucket('')).toBe(0x811c9dc5 % 100);
    expect(samplingBucket('a')).toBe(0xe40c292c % 100);
    expect(samplingBucket('foobar')).toBe(0xbf9cf968 % 100);
  });

  it('stays within 0–99 for any key, including non-ASCII ones', () => {
    for (const userKey of ['', 'é', '用户-42', '🙂', 'x'.repeat(10_000)]) {
      const bucket = samplingBucket(userKey);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(100);
      expect(Number.isInteger(bucket)).toBe(true);
    }
  });
});
