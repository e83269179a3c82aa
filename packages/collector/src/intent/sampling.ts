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
 * listed plans and new users, and a stable `rate`% of everyone else.
 *
 * @example
 * const shouldClassify = createSamplingPolicy({ rate: 10, alwaysClassifyPlans: ['pro'] });
 * shouldClassify(prompt, Date.now());
 */
export function createSamplingPolicy({ rate, alwaysClassifyPlans, newUserDays = 7 }: SamplingOptions): SamplingPolicy {
  if (!Number.isFinite(rate) || rate < 0 || rate > 100) {
    throw new RangeError(`sampling rate must be a percentage between 0 and 100, got ${String(rate)}`);
  }
  if (!Number.isFinite(newUserDays) || newUserDays < 0) {
    throw new RangeError(`sampling newUserDays must be a number of days ≥ 0, got ${String(newUserDays)}`);
  }
  const alwaysClassified = new Set(alwaysClassifyPlans);
  const newUserWindowMs = newUserDays * DAY_MS;

  return (prompt, now) => {
    if (prompt.plan !== null && alwaysClassified.has(prompt.plan)) return true;
    if (now - prompt.firstSeenAt < newUserWindowMs) return true;
    return samplingBucket(prompt.userKey) < rate;
  };
}
