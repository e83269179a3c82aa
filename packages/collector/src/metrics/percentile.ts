import { endianness } from 'node:os';

/**
 * PERCENTILE_CONT of a non-empty set of values: linear interpolation between
 * the values at ranks ⌊p·(n−1)⌋ and ⌈p·(n−1)⌉ of the sorted values (what
 * SQLite's `percentile_cont` computes). May reorder `values`.
 */
export function percentileCont(values: Float64Array, p: number): number {
  return percentilesCont(values, [p])[0] as number;
}

/**
 * PERCENTILE_CONT at several p, given in ascending order, with the same
 * answers as percentileCont for each: the values at every rank they need
 * are selected together (valuesAtRanks). May reorder `values`.
 */
export function percentilesCont(values: Float64Array, ascending: readonly number[]): number[] {
  const selected = valuesAtRanks(values, percentileRanks(values.length, ascending));
  return percentilesAtRanks(values.length, ascending, (rank) => selected.get(rank) as number);
}

/**
 * The ranks (0-based, of the sorted values) that PERCENTILE_CONT at each p
 * of `count` values interpolates between: distinct and ascending.
 */
export function percentileRanks(count: number, ascending: readonly number[]): number[] {
  const ranks: number[] = [];
  let previous = -Infinity;
  for (const p of ascending) {
    if (p < previous) throw new RangeError(`percentilesCont takes p in ascending order, got ${ascending.join(', ')}`);
    previous = p;
    const rank = p * (count - 1);
    ranks.push(Math.floor(rank), Math.ceil(rank));
  }
  return [...new Set(ranks)];
}

/**
 * PERCENTILE_CONT at each p of `count` values, given the value at each rank
 * percentileRanks names: wherever the values are selected, the interpolation
 * is this one, so answers agree to the bit.
 */
export function percentilesAtRanks(count: number, ascending: readonly number[], valueAt: (rank: number) => number): number[] {
  return ascending.map((p) => {
    const rank = p * (count - 1);
    const lower = valueAt(Math.floor(rank));
    if (Number.isInteger(rank)) return lower;
    const upper = valueAt(Math.ceil(rank));
    return lower + (upper - lower) * (rank - Math.floor(rank));
  });
}

/** Below this many values a quickselect over the whole array beats counting buckets (65,536 counters to clear and scan). */
const BUCKETED_FROM = 4096;
const BUCKETS = 65_536;
/** Index of a binary64's high 32-bit word in a Uint32Array view of its array. */
const HIGH_WORD = endianness() === 'LE' ? 1 : 0;

/**
 * The values at the given ranks (0-based, ascending, distinct) of the
 * sorted values. Large arrays are counted into buckets by the top 16 bits of
 * each value's order-preserving key (sign, exponent and 4 bits of fraction:
 * ranges about 6% wide), then only the values of the buckets holding a wanted
 * rank are copied out and quickselected: two linear passes that only read,
 * instead of quickselect's swaps over the whole array (at 10M bench events a
 * 90-day latency read selects among 4.5M values; measured 2026-12-02). May
 * reorder `values`.
 */
export function valuesAtRanks(values: Float64Array, ranks: readonly number[]): Map<number, number> {
  const selected = new Map<number, number>();
  if (values.length < BUCKETED_FROM) {
    let from = 0;
    for (const rank of ranks) {
      selected.set(rank, selectInPlace(values, rank, from));
      from = rank;
    }
    return selected;
  }
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const counts = countBuckets(words);
  // The buckets holding a wanted rank, in ascending order, each with the rank of its first value.
  const wanted: BucketCopy[] = [];
  let bucket = 0;
  let below = 0;
  for (const rank of ranks) {
    while (below + (counts[bucket] as number) <= rank) below += counts[bucket++] as number;
    if (wanted[wanted.length - 1]?.bucket !== bucket) {
      wanted.push({ bucket, firstRank: below, values: new Float64Array(counts[bucket] as number) });
    }
  }
  copyWantedBuckets(values, words, wanted);
  const from = new Map<number, number>();
  for (const rank of ranks) {
    let slot = 0;
    while ((wanted[slot + 1]?.firstRank ?? Infinity) <= rank) slot += 1;
    const copy = wanted[slot] as BucketCopy;
    const inBucket = rank - copy.firstRank;
    selected.set(rank, selectInPlace(copy.values, inBucket, from.get(slot) ?? 0));
    from.set(slot, inBucket);
  }
  return selected;
}

interface BucketCopy {
  bucket: number;
  /** The rank of the bucket's first value among all values. */
  firstRank: number;
  values: Float64Array;
}

/**
 * Copies out the values of the wanted buckets (ascending) in one pass. One
 * or two buckets (a single percentile, or p95 and p99 of a narrow spread) are
 * compared directly, about twice as fast as looking every value's bucket up
 * in a table, which more buckets need to stay one pass.
 */
function copyWantedBuckets(values: Float64Array, words: Uint32Array, wanted: readonly BucketCopy[]): void {
  const [first, second] = wanted;
  if (first !== undefined && wanted.length <= 2) {
    // Locals, not property reads in the loop.
    const firstBucket = first.bucket;
    const firstValues = first.values;
    const secondBucket = second?.bucket ?? -1;
    const secondValues = second?.values ?? firstValues;
    let firstFilled = 0;
    let secondFilled = 0;
    for (let index = 0; index < values.length; index += 1) {
      const bucket = bucketOf(words[index * 2 + HIGH_WORD] as number);
      if (bucket === firstBucket) firstValues[firstFilled++] = values[index] as number;
      else if (bucket === secondBucket) secondValues[secondFilled++] = values[index] as number;
    }
    return;
  }
  const slotOfBucket = new Int32Array(BUCKETS).fill(-1);
  wanted.forEach((copy, slot) => (slotOfBucket[copy.bucket] = slot));
  const filled = new Uint32Array(wanted.length);
  for (let index = 0; index < values.length; index += 1) {
    const slot = slotOfBucket[bucketOf(words[index * 2 + HIGH_WORD] as number)] as number;
    if (slot === -1) continue;
    const at = filled[slot] as number;
    (wanted[slot] as BucketCopy).values[at] = values[index] as number;
    filled[slot] = at + 1;
  }
}

/**
 * The bucket of a binary64 from its high word: the top 16 bits of a key that
 * orders as the values do (negative values have every bit flipped, positive
 * ones only the sign), so that bucket order is value order.
 */
function bucketOf(high: number): number {
  const key = high >>> 31 === 1 ? ~high : high ^ 0x8000_0000;
  return key >>> 16;
}

/**
 * How many values fall in each bucket. Four tables, one per lane of four
 * values, summed at the end: values of one distribution land in a few
 * buckets, and increments of one counter queue behind each other, which four
 * independent counters do not (4.5M latencies: about half the time of one
 * table, measured 2026-12-02).
 */
function countBuckets(words: Uint32Array): Uint32Array {
  const lanes = new Uint32Array(BUCKETS * 4);
  const count = words.length / 2;
  const whole = count - (count % 4);
  let index = 0;
  for (; index < whole; index += 4) {
    const at = index * 2 + HIGH_WORD;
    const first = bucketOf(words[at] as number);
    const second = BUCKETS + bucketOf(words[at + 2] as number);
    const third = 2 * BUCKETS + bucketOf(words[at + 4] as number);
    const fourth = 3 * BUCKETS + bucketOf(words[at + 6] as number);
    lanes[first] = (lanes[first] as number) + 1;
    lanes[second] = (lanes[second] as number) + 1;
    lanes[third] = (lanes[third] as number) + 1;
    lanes[fourth] = (lanes[fourth] as number) + 1;
  }
  for (; index < count; index += 1) {
    const bucket = bucketOf(words[index * 2 + HIGH_WORD] as number);
    lanes[bucket] = (lanes[bucket] as number) + 1;
  }
  const counts = lanes.subarray(0, BUCKETS);
  for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
    counts[bucket] = (counts[bucket] as number) + (lanes[BUCKETS + bucket] as number) + (lanes[2 * BUCKETS + bucket] as number) + (lanes[3 * BUCKETS + bucket] as number);
  }
  return counts;
}

/**
 * Mean with Neumaier-compensated summation (as SQLite's AVG), so that long
 * sums do not drift. An indexed loop rather than `for…of`: V8 ran the
 * iterator over a Float64Array four to ten times slower (4.5M values: 40–130
 * ms against 10 ms, Node 20, measured 2026-12-02).
 */
export function mean(values: Float64Array): number {
  let sum = 0;
  let compensation = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
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
