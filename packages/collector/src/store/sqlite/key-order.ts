/**
 * The values of `rows` sorted by `fields`, in the order of their table's
 * primary key: the order in which the grouped SQL that the batch fold
 * replaced wrote them (its GROUP BY came out sorted), so that the triggers on
 * the rollup tables (next_quarter chains, conversation entries) see their
 * rows arrive as before, and the upserts walk each b-tree from one page to
 * the next. Strings compare by UTF-16 code unit where SQLite's BINARY
 * collation compares UTF-8 bytes; the two differ only for characters beyond
 * U+FFFF against U+E000–U+FFFF, which changes the order of two writes, never
 * their outcome (the triggers keep their invariants in any order, as the
 * one-event-at-a-time fold relies on).
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
