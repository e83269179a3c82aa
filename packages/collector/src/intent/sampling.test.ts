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

  describe('peak hours', () => {
    const at = (time: string): number => Date.parse(`2026-03-10T${time}Z`);
    // samplingBucket('user-1') is 0 and samplingBucket('user-5') is 24 (FNV-1a computed by hand).
    const peak = { startHour: 9, endHour: 17, rate: 20 };

    it('samples at the peak rate from the first peak hour to the hour the peak ends', () => {
      const shouldClassify = createSamplingPolicy({ rate: 100, alwaysClassifyPlans: [], peak });
      expect(samplingBucket('user-1')).toBe(0);
      expect(samplingBucket('user-5')).toBe(24);
      expect(shouldClassify(prompt({ userKey: 'user-5' }), at('08:59:59'))).toBe(true);
      expect(shouldClassify(prompt({ userKey: 'user-5' }), at('09:00:00'))).toBe(false);
      expect(shouldClassify(prompt({ userKey: 'user-1' }), at('09:00:00'))).toBe(true);
      expect(shouldClassify(prompt({ userKey: 'user-5' }), at('16:59:59'))).toBe(false);
      expect(shouldClassify(prompt({ userKey: 'user-5' }), at('17:00:00'))).toBe(true);
    });

    it('wraps a window that crosses midnight', () => {
      const shouldClassify = createSamplingPolicy({ rate: 100, alwaysClassifyPlans: [], peak: { startHour: 22, endHour: 6, rate: 0 } });
      expect(shouldClassify(prompt(), at('21:59:00'))).toBe(true);
      expect(shouldClassify(prompt(), at('23:30:00'))).toBe(false);
      expect(shouldClassify(prompt(), at('05:59:00'))).toBe(false);
      expect(shouldClassify(prompt(), at('06:00:00'))).toBe(true);
    });

    it('still always classifies listed plans and new users during the peak', () => {
      const shouldClassify = createSamplingPolicy({ rate: 100, alwaysClassifyPlans: ['pro'], peak: { ...peak, rate: 0 } });
      expect(shouldClassify(prompt({ plan: 'pro' }), at('12:00:00'))).toBe(true);
      expect(shouldClassify(prompt({ firstSeenAt: at('00:00:00') }), at('12:00:00'))).toBe(true);
      expect(shouldClassify(prompt(), at('12:00:00'))).toBe(false);
    });

    it('refuses a peak rate outside 0–100', () => {
      expect(() => createSamplingPolicy({ rate: 10, alwaysClassifyPlans: [], peak: { ...peak, rate: 101 } })).toThrow(
        'peak sampling rate must be a percentage between 0 and 100, got 101',
      );
    });
  });
});
