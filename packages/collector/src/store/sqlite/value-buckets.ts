import { endianness } from 'node:os';
import { readInt32Values, writeInt32Values } from './int32-values.js';

/**
 * The value buckets of migration 024. A bucket is the top 15 bits of a key
 * that orders as the values do (sign, exponent and 3 bits of fraction): eight
 * buckets per octave, each about 9% wide, so a latency spread over 10 ms to
 * 60 s falls in at most ~100 buckets, and the bucket holding a percentile's
 * rank holds a few percent of the values. Bucket order is value order.
 */
const DROPPED_BITS = 17;
/** Every bucket number is below this. */
export const BUCKET_COUNT = 2 ** (32 - DROPPED_BITS);
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const HIGH_WORD = endianness() === 'LE' ? 1 : 0;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/** The bucket of a value. */
export function valueBucket(value: number): number {
  scratch[0] = value;
  const high = scratchWords[HIGH_WORD] as number;
  // Negative values have every bit flipped, positive ones only the sign.
  const key = high >>> 31 === 1 ? ~high : high ^ 0x8000_0000;
  return key >>> DROPPED_BITS;
}

/** Whether every value is an integer int32 holds exactly (not -0, which int32 would turn into 0). */
export function allWholeInt32(values: ArrayLike<number>): boolean {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX || Object.is(value, -0)) return false;
  }
  return true;
}

/** One bucket of a list: its number and its values, in list order. */
export interface ValueBucket {
  bucket: number;
  values: number[];
}

/** The values split by bucket, buckets ascending. */
export function splitByBucket(values: ArrayLike<number>): ValueBucket[] {
  const byBucket = new Map<number, number[]>();
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    const bucket = valueBucket(value);
    const members = byBucket.get(bucket);
    if (members === undefined) byBucket.set(bucket, [value]);
    else members.push(value);
  }
  return [...byBucket].sort(([left], [right]) => left - right).map(([bucket, members]) => ({ bucket, values: members }));
}

/** A day list of one key (its number in `value_list_keys`), split by bucket; null buckets: not every value is a whole int32. */
export interface KeyBuckets {
  keyId: number;
  buckets: readonly ValueBucket[] | null;
}

/** Marks, in place of a bucket count, a key whose values have no buckets. */
export const NO_BUCKETS = -1;
const WORD = 2 ** 32;

/**
 * A day's histogram row: for each key, the words
 * `keyId, sumLow, sumHigh, bucketCount, (bucket, valueCount) × bucketCount`,
 * the sum being the exact sum of the key's values (high·2³² + unsigned low);
 * bucketCount is NO_BUCKETS (and the sum 0) when its values have no buckets.
 */
export function writeDayHistograms(keys: readonly KeyBuckets[]): Buffer {
  const words: number[] = [];
  for (const { keyId, buckets } of keys) {
    if (buckets === null) {
      words.push(keyId, 0, 0, NO_BUCKETS);
      continue;
    }
    let sum = 0;
    for (const { values } of buckets) for (const value of values) sum += value;
    const high = Math.floor(sum / WORD);
    words.push(keyId, (sum - high * WORD) | 0, high, buckets.length);
    for (const { bucket, values } of buckets) words.push(bucket, values.length);
  }
  return writeInt32Values(words);
}

/** The sum a histogram row holds at `at` (its low word; the high word follows). */
export function readSum(words: Int32Array, at: number): number {
  return (words[at + 1] as number) * WORD + ((words[at] as number) >>> 0);
}

/** The day's bucket rows: per bucket, for each key with values in it, the words `keyId, valueCount, values…`. */
export function writeBucketRows(keys: readonly KeyBuckets[]): Map<number, Buffer> {
  const rows = new Map<number, number[]>();
  for (const { keyId, buckets } of keys) {
    for (const { bucket, values } of buckets ?? []) {
      const words = rows.get(bucket) ?? [];
      words.push(keyId, values.length);
      for (const value of values) words.push(value);
      rows.set(bucket, words);
    }
  }
  return new Map([...rows].map(([bucket, words]) => [bucket, writeInt32Values(words)]));
}

/** The buckets a day's histogram row names. */
export function histogramBuckets(bytes: Buffer): Set<number> {
  const words = readInt32Values(bytes);
  const buckets = new Set<number>();
  for (let at = 0; at < words.length; ) {
    const count = words[at + 3] as number;
    at += 4;
    if (count === NO_BUCKETS) continue;
    for (let pair = 0; pair < count; pair += 1, at += 2) buckets.add(words[at] as number);
  }
  return buckets;
}
