import { takeGroup, type PendingSubmission } from '../pending-submissions.js';

/**
 * Combines concurrent requests' writes into one ClickHouse insert: while an
 * insert is in flight, new submissions wait and go together into the next
 * one, so a busy collector makes few, large inserts (what MergeTree wants)
 * and an idle one adds no delay. Every submission resolves only after the
 * insert holding its rows has completed.
 *
 * A failing group never costs the others their write: it is retried one
 * submission at a time, and only a submission that still fails is rejected.
 */
export interface InsertBatcherOptions<Item, Result> {
  /** Writes several submissions in one go; returns one result per submission, in order. */
  write(submissions: readonly (readonly Item[])[]): Promise<Result[]>;
  /** Rows per insert at most; a larger group waits for the next one. */
  maxGroupRows?: number;
}

export interface InsertBatcher<Item, Result> {
  /** Resolves with this submission's result once its insert has completed. */
  submit(items: readonly Item[]): Promise<Result>;
  /** Resolves when everything submitted so far is written (or has failed). */
  drain(): Promise<void>;
}


/** 10,000 rows: one insert of a few MB, a fraction of a second on a small server, so no request waits behind a huge group. */
const DEFAULT_MAX_GROUP_ROWS = 10_000;

export function createInsertBatcher<Item, Result>(options: InsertBatcherOptions<Item, Result>): InsertBatcher<Item, Result> {
  const maxGroupRows = options.maxGroupRows ?? DEFAULT_MAX_GROUP_ROWS;
  let waiting: PendingSubmission<Item, Result>[] = [];
  let running: Promise<void> | null = null;

  function start(): void {
    if (running !== null || waiting.length === 0) return;
    running = flush().finally(() => {
      running = null;
      start();
    });
  }

  async function flush(): Promise<void> {
    const group = nextGroup();
    try {
      const results = await options.write(group.map((pending) => pending.items));
      group.forEach((pending, index) => pending.resolve(results[index] as Result));
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      // Alone, each submission succeeds or fails on its own merits.
      for (const pending of group) {
        try {
          pending.resolve(((await options.write([pending.items])) as Result[])[0] as Result);
        } catch (single) {
          pending.reject(single);
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
    submit(items) {
      return new Promise<Result>((resolve, reject) => {
        waiting.push({ items, resolve, reject });
        // Submissions made in the same turn of the event loop share the first insert too.
        setImmediate(start);
      });
    },
    async drain() {
      while (running !== null || waiting.length > 0) {
        start();
        await running;
      }
    },
  };
}
