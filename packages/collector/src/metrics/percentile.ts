/**
 * PERCENTILE_CONT of a non-empty set of values: linear interpolation between
 * the values at ranks ⌊p·(n−1)⌋ and ⌈p·(n−1)⌉ of the sorted values (what
 * SQLite's `percentile_cont` computes). Reorders `values` (quickselect,
 * linear time): call it several times on the same array for several p.
 */
export function percentileCont(values: Float64Array, p: number): number {
  return percentileContFrom(values, p, 0);
}

/**
 * PERCENTILE_CONT at several p, given in ascending order, with the same
 * answers as percentileCont for each: once the value at one rank is
 * selected, every larger value lies right of it, so each next selection
 * searches only there (p50, p95, p99 cost about 1.6 selections over the
 * whole array instead of 3). Reorders `values`.
 */
export function percentilesCont(values: Float64Array, ascending: readonly number[]): number[] {
  let from = 0;
  return ascending.map((p) => {
    const low = Math.floor(p * (values.length - 1));
    if (low < from) throw new RangeError(`percentilesCont takes p in ascending order, got ${ascending.join(', ')}`);
    const value = percentileContFrom(values, p, from);
    from = low;
    return value;
  });
}

/** percentileCont when every value left of `from` is known to be no larger than any value from `from` on. */
function percentileContFrom(values: Float64Array, p: number, from: number): number {
  const rank = p * (values.length - 1);
  const low = Math.floor(rank);
  const lower = selectInPlace(values, low, from);
  if (rank === low) return lower;
  // After selection everything right of `low` is ≥ it: the next value up is their minimum.
  let upper = Infinity;
  for (let index = low + 1; index < values.length; index += 1) upper = Math.min(upper, values[index] as number);
  return lower + (upper - lower) * (rank - low);
}

/** Mean with Neumaier-compensated summation (as SQLite's AVG), so that long sums do not drift. */
export function mean(values: Float64Array): number {
  let sum = 0;
  let compensation = 0;
  for (const value of values) {
    const next = sum + value;
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
  }
  return (sum + compensation) / values.length;
}

/**
 * Hoare quickselect: puts the k-th smallest value (0-based) at index k,
 * smaller ones left of it, larger right; searches from index `left` on.
 */
function selectInPlace(values: Float64Array, k: number, left: number): number {
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i += 1;
      while ((values[j] as number) > pivot) j -= 1;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k] as number;
}
