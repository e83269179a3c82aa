import { webLocks } from './global-scope.js';

const LOCK_NAME = 'chatmeter-flush';

/**
 * Runs `work` only if no other tab of the origin is flushing, so several
 * tabs sharing the IndexedDB queue do not send the same events at once.
 * Returns false when another tab holds the lock.
 *
 * Web Locks only. Where they are missing (browsers before 2022, Node) each
 * tab flushes on its own and the collector's messageId deduplication stores
 * overlapping sends once. A localStorage lease used to stand in there, but
 * it could not be taken atomically and lapsed during long flushes, so it
 * guaranteed no more than the deduplication does, for bytes of the bundle.
 */
export async function withFlushLock(work: () => Promise<void>): Promise<boolean> {
  const locks = webLocks();
  if (locks === undefined) {
    await work();
    return true;
  }
  return locks.request(LOCK_NAME, { ifAvailable: true }, async (lock) => {
    if (lock === null) return false;
    await work();
    return true;
  });
}
