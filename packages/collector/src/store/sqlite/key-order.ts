/**
 * The values of `rows` sorted by `fields`, in the order of their table's
 * primary key. A batch's upserts in key order walk the b-tree from one page
 * to the next, as the grouped SQL they replaced did (its GROUP BY came out
 * sorted), instead of jumping about it in the order the keys first appeared:
 * measured 2026-12-02 on the 50,000-event bench database, 10,000-event
 * batches, the upserts in first-seen order cost half as much again as sorted.
 * Strings compare by UTF-16 code unit where SQLite's BINARY collation compares
 * UTF-8 bytes; the two differ only for characters beyond U+FFFF against
 * U+E000–U+FFFF, which costs locality, never correctness.
 */
export function inKeyOrder<Row>(rows: Iterable<Row>, fields: readonly (keyof Row)[]): Row[] {
  return [...rows].sort((left, right) => {
    for (const field of fields) {
      const a = left[field];
      const b = right[field];
      if (a < b) return -1;
      if (a > b) return 1;
    }
    return 0;
  });
}
