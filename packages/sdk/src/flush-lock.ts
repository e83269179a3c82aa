import { webLocks } from './global-scope.js';
import type { KeyValueStorage } from './storage.js';
import { readJson } from './storage.js';

const LOCK_NAME = 'chatmeter-flush';
/** A lease outlives a tab that died while flushing by at most this long. */
const LEASE_MS = 30_000;

/**
 * Runs `work` only if no other tab of the origin is flushing, so several
 * tabs never send the same queued events at once. Web Locks when available,
 * else a lease in localStorage. Returns false when another tab holds it.
 */
export async function withFlushLock(storage: KeyValueStorage, owner: string, work: () => Promise<void>): Promise<boolean> {
  const locks = webLocks();
  if (locks !== undefined) {
    return locks.request(LOCK_NAME, { ifAvailable: true }, async (lock) => {
      if (lock === null) return false;
      await work();
      return true;
    });
  }
  const lease = readJson<{ owner: string; until: number }>(storage, LOCK_NAME);
  if (lease !== null && lease.owner !== owner && lease.until > Date.now()) return false;
  storage.set(LOCK_NAME, JSON.stringify({ owner, until: Date.now() + LEASE_MS }));
  try {
    await work();
  } finally {
    storage.remove(LOCK_NAME);
  }
  return true;
}
