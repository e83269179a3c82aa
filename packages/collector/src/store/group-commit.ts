import { takeGroup, type PendingSubmission } from './pending-submissions.js';

/**
 * Group commit: concurrent requests' writes share one transaction (and so one
 * fsync) instead of paying one each, and every request is answered only after
 * the commit that holds its rows.
 *
 * Submissions that arrive while the event loop is busy join the next group;
 * a group is flushed on the next turn of the loop (`setImmediate`), so an
 * idle collector adds no delay and a busy one batches by itself. A group is
 * cut at `maxGroupRows` rows; the rest wait for the following group.
 *
 * A failing group never costs the others their write: it is retried one
 * submission at a time, and only the submission that still fails is rejected.
 */
export interface GroupCommitOptions<Item, Result> {
  /**
   * Writes several submissions in one transaction and returns one result per
   * submission, in order. Synchronous on purpose: the whole group commits or
   * none of it does.
   */
  commit(submissions: readonly (readonly Item[])[]): Result[];
  /** Rows per transaction at most; a larger group waits for the next one. */
  maxGroupRows?: number;
}

export interface GroupCommit<Item, Result> {
  /** Resolves with this submission's result once its group has committed. */
  submit(items: readonly Item[]): Promise<Result>;
  /** Commits everything waiting now (before the store closes). */
  flushAll(): void;
}


/** 5,000 rows keep one transaction around 50–100 ms at worst on a slow disk, so no request waits behind a huge group. */
const DEFAULT_MAX_GROUP_ROWS = 5_000;

export function createGroupCommit<Item, Result>(options: GroupCommitOptions<Item, Result>): GroupCommit<Item, Result> {
  const maxGroupRows = options.maxGroupRows ?? DEFAULT_MAX_GROUP_ROWS;
  let waiting: PendingSubmission<Item, Result>[] = [];
  let scheduled = false;

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  function flush(): void {
    scheduled = false;
    const group = nextGroup();
    // flushAll() may have committed everything before this scheduled turn came.
    if (group.length === 0) return;
    if (waiting.length > 0) schedule();
    try {
      const results = options.commit(group.map((pending) => pending.items));
      group.forEach((pending, index) => pending.resolve(results[index] as Result));
    } catch {
      // Alone, each submission succeeds or fails on its own merits.
      for (const pending of group) {
        try {
          pending.resolve(options.commit([pending.items])[0] as Result);
        } catch (error) {
          pending.reject(error);
        }
      }
    }
  }

  function nextGroup(): PendingSubmission<Item, Result>[] {
    const { group, rest } = takeGroup(waiting, maxGroupRows);
    waiting = rest;
    return group;
  }

  return {
    flushAll() {
      while (waiting.length > 0) flush();
    },
    submit(items) {
      return new Promise<Result>((resolve, reject) => {
        waiting.push({ items, resolve, reject });
        schedule();
      });
    },
  };
}
