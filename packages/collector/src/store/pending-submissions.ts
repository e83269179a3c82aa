/** A write waiting to join a group (group-commit.ts for SQLite, clickhouse/insert-batcher.ts). */
export interface PendingSubmission<Item, Result> {
  items: readonly Item[];
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Splits the waiting submissions into the next group (as many as fit in
 * `maxGroupRows` rows, and at least one however large, so nothing waits
 * forever) and the rest, in order.
 */
export function takeGroup<Item, Result>(
  waiting: readonly PendingSubmission<Item, Result>[],
  maxGroupRows: number,
): { group: PendingSubmission<Item, Result>[]; rest: PendingSubmission<Item, Result>[] } {
  let rows = 0;
  let count = 0;
  while (count < waiting.length && (count === 0 || rows + (waiting[count] as PendingSubmission<Item, Result>).items.length <= maxGroupRows)) {
    rows += (waiting[count] as PendingSubmission<Item, Result>).items.length;
    count += 1;
  }
  return { group: waiting.slice(0, count), rest: waiting.slice(count) };
}
