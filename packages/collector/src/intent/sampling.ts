import type { QueuedPrompt } from '../classification/classification-queue.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** FNV-1a 32-bit constants (http://www.isthe.com/chongo/tech/comp/fnv/). */
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export interface SamplingOptions {
  /** Share of users whose prompts are classified, in percent (0–100). */
  rate: number;
  /** Plans (the user's `plan` trait) that are always classified, e.g. paying plans. */
  alwaysClassifyPlans: readonly string[];
  /**
   * Users first seen less than this many days ago are always classified:
   * onboarding is where intent matters most. 0 turns the rule off.
   */
  newUserDays?: number;
  /**
   * The busiest hours get their own, usually lower, rate: classification
   * cost and LLM rate limits bite when traffic peaks. Hours are UTC, start
   * included and end excluded; a window may wrap past midnight (22–6).
   */
  peak?: PeakHours | undefined;
}

export interface PeakHours {
  /** 0–23, the first peak hour. */
  startHour: number;
  /** 0–23, the first hour after the peak. */
  endHour: number;
  /** Share of users classified during the peak, in percent (0–100). */
  rate: number;
}

/** True when `now` falls in the peak window (UTC hours). */
export function isPeakHour(peak: PeakHours, now: number): boolean {
  const hour = new Date(now).getUTCHours();
  return peak.startHour < peak.endHour
    ? hour >= peak.startHour && hour < peak.endHour
    : hour >= peak.startHour || hour < peak.endHour;
}

/** Decides whether one queued prompt is sent to the classifier. */
export type SamplingPolicy = (prompt: QueuedPrompt, now: number) => boolean;

/**
 * A user's sampling bucket, 0–99: FNV-1a 32-bit of the UTF-8 user key, modulo 100.
 * Sampling by user (not by prompt) keeps a sampled user's conversations whole,
 * and the hash keeps the decision stable across restarts and collectors.
 *
 * @example samplingBucket('user-42') // always the same number in 0..99
 */
export function samplingBucket(userKey: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of new TextEncoder().encode(userKey)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return (hash >>> 0) % 100;
}

/**
 * Builds the policy that limits LLM classification cost: always classify the
 * listed plans and new users, and a stable `rate`% of everyone else
 * (`peak.rate`% during the peak hours, judged by when the prompt is classified).
 *
 * @example
 * const shouldClassify = createSamplingPolicy({ rate: 10, alwaysClassifyPlans: ['pro'] });
 * shouldClassify(prompt, Date.now());
 */
export function createSamplingPolicy({ rate, alwaysClassifyPlans, newUserDays = 7, peak }: SamplingOptions): SamplingPolicy {
  if (!Number.isFinite(rate) || rate < 0 || rate > 100) {
    throw new RangeError(`sampling rate must be a percentage between 0 and 100, got ${String(rate)}`);
  }
  if (!Number.isFinite(newUserDays) || newUserDays < 0) {
    throw new RangeError(`sampling newUserDays must be a number of days ≥ 0, got ${String(newUserDays)}`);
  }
  if (peak !== undefined && (!Number.isFinite(peak.rate) || peak.rate < 0 || peak.rate > 100)) {
    throw new RangeError(`peak sampling rate must be a percentage between 0 and 100, got ${String(peak.rate)}`);
  }
  const alwaysClassified = new Set(alwaysClassifyPlans);
  const newUserWindowMs = newUserDays * DAY_MS;

  return (prompt, now) => {
    if (prompt.plan !== null && alwaysClassified.has(prompt.plan)) return true;
    if (now - prompt.firstSeenAt < newUserWindowMs) return true;
    // The same user bucket at both rates: a user sampled at the lower rate is sampled at the higher one too.
    const rateNow = peak !== undefined && isPeakHour(peak, now) ? peak.rate : rate;
    return samplingBucket(prompt.userKey) < rateNow;
  };
}
