/** A running sum of doubles that ends as SQLite's TOTAL() of the same values in the same order. */
export interface Total {
  add(value: number): void;
  /** The sum, 0 when nothing was added (TOTAL of no rows or only NULLs). */
  value(): number;
}

/**
 * SQLite (3.43 and later) sums REAL values with Kahan-Babuska-Neumaier
 * compensation (`kahanBabuskaNeumaierStep` in func.c) and adds the
 * accumulated error at the end unless it overflowed; the same steps here give
 * the same bits, so a JavaScript fold stores the cost sum SQL would have.
 *
 * @example const total = createTotal(); total.add(1e100); total.add(1); total.add(-1e100); total.value() // 1, where `+` gives 0
 */
export function createTotal(): Total {
  let sum = 0;
  let error = 0;
  return {
    add(value) {
      const next = sum + value;
      error += Math.abs(sum) > Math.abs(value) ? sum - next + value : value - next + sum;
      sum = next;
    },
    value() {
      return Number.isFinite(error) ? sum + error : sum;
    },
  };
}
