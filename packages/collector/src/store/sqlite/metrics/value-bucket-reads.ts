import type Database from 'better-sqlite3';
import { percentileRanks, percentilesAtRanks, valuesAtRanks } from '../../../metrics/percentile.js';
import { readInt32Values } from '../int32-values.js';
import type { ValueList } from '../migrations/005-streaming-response-ids-delivery.js';
import { dayTablesOf } from '../migrations/016-value-list-days.js';
import { bucketTablesOf, VALUE_LIST_KEYS } from '../migrations/024-value-buckets.js';
import { dayPieces } from '../day-pieces.js';
import { allWholeInt32, BUCKET_COUNT, NO_BUCKETS, readSum, valueBucket } from '../value-buckets.js';
import type { FilterSql } from './event-filters-sql.js';
import { readFloat64Values } from './float64-values.js';
import { compareKeys } from './values-by-key.js';

/** Count, mean and PERCENTILE_CONT at each asked p of one group's values. */
export interface ValueStats {
  count: number;
  mean: number;
  percentiles: number[];
}

/** What is known of a group before its values are read. */
interface GroupTally {
  count: number;
  /** Exact: every value is a whole int32, and 4.5M of them sum far below 2^53. */
  sum: number;
  /** Values per bucket. */
  histogram: Uint32Array;
  /** Values read from quarter lists (the range's edges and stale days), which have no bucket rows. */
  loose: Float64Array[];
}

/** Where a wanted rank of a group's sorted values lies: the bucket, and the rank among the bucket's values. */
interface RankInBucket {
  bucket: number;
  offset: number;
}

/** A wanted bucket's values of one group, as they are gathered. */
interface BucketFill {
  values: Float64Array;
  filled: number;
}

/**
 * The same answers as readValueLists followed by `percentilesCont` and
 * `mean`, to the bit, from the day buckets of migration 024: counts and sums
 * from the days' histogram rows, then, for each wanted rank, the values of
 * the one bucket holding it (value-buckets.ts). At 10M bench events a 90-day
 * p95 reads a few percent of the range's values instead of all 4.4M.
 *
 * Undefined when a value of the range is not a whole int32 (then a mean
 * would depend on the order of the sum, and the lists have no buckets): the
 * caller reads the lists. Groups and keys as readValueLists.
 */
export function readValueStats(
  db: Database.Database,
  list: ValueList,
  q0: number,
  q1: number,
  keyFilters: FilterSql,
  key: 'model' | 'intent' | null,
  ascending: readonly number[],
): Map<string | null, ValueStats> | undefined {
  return db.transaction(() => {
    const { histograms, buckets } = bucketTablesOf(list);
    const keyColumn = key ?? 'NULL';
    const tallies = new Map<string | null, GroupTally>();
    const tallyOf = (rowKey: string | null): GroupTally => {
      const group = rowKey === '' ? null : rowKey;
      let tally = tallies.get(group);
      if (tally === undefined) {
        tally = { count: 0, sum: 0, histogram: new Uint32Array(BUCKET_COUNT), loose: [] };
        tallies.set(group, tally);
      }
      return tally;
    };
    // The keys the filters let through, and the group of each.
    const groupOfKey = new Map(
      db
        .prepare(`SELECT key_id, ${keyColumn} FROM ${VALUE_LIST_KEYS} WHERE 1${keyFilters.sql}`)
        .raw()
        .all(keyFilters.params) as [number, string | null][],
    );

    const dayRuns: { from: number; to: number }[] = [];
    for (const piece of dayPieces(db, dayTablesOf(list).stale, q0, q1)) {
      if (piece.from === 'days') {
        const run = { from: piece.startDay, to: piece.endDay };
        dayRuns.push(run);
        for (const bytes of db.prepare(`SELECT histograms FROM ${histograms} WHERE day >= @from AND day < @to`).pluck().all(run) as Buffer[]) {
          const words = readInt32Values(bytes);
          for (let at = 0; at < words.length; ) {
            const group = groupOfKey.get(words[at] as number);
            const pairs = words[at + 3] as number;
            if (group !== undefined && pairs === NO_BUCKETS) return undefined;
            const next = at + 4 + 2 * Math.max(pairs, 0);
            if (group !== undefined) {
              const tally = tallyOf(group);
              tally.sum += readSum(words, at + 1);
              for (at += 4; at < next; at += 2) {
                const bucket = words[at] as number;
                const count = words[at + 1] as number;
                tally.histogram[bucket] = (tally.histogram[bucket] as number) + count;
                tally.count += count;
              }
            }
            at = next;
          }
        }
      } else {
        const rows = db
          .prepare(`SELECT ${keyColumn}, ${list.list} FROM ${list.table} WHERE quarter >= @from AND quarter < @to${keyFilters.sql}`)
          .raw()
          .all({ from: piece.q0, to: piece.q1, ...keyFilters.params }) as [string | null, Buffer][];
        for (const [rowKey, bytes] of rows) {
          const values = readFloat64Values(bytes);
          if (!allWholeInt32(values)) return undefined;
          const tally = tallyOf(rowKey);
          for (let index = 0; index < values.length; index += 1) {
            const value = values[index] as number;
            tally.sum += value;
            const bucket = valueBucket(value);
            tally.histogram[bucket] = (tally.histogram[bucket] as number) + 1;
          }
          tally.loose.push(values);
          tally.count += values.length;
        }
      }
    }

    // Where each group's wanted ranks lie, and which groups need each bucket's values (how many).
    const ranksOf = new Map<string | null, Map<number, RankInBucket>>();
    const wanted = new Map<number, Map<string | null, number>>();
    for (const [group, tally] of tallies) {
      // An emptied list row: readValueLists would give the group no values at all.
      if (tally.count === 0) return undefined;
      const ranks = new Map<number, RankInBucket>();
      let bucket = 0;
      let below = 0;
      for (const rank of percentileRanks(tally.count, ascending)) {
        while (below + (tally.histogram[bucket] as number) <= rank) below += tally.histogram[bucket++] as number;
        ranks.set(rank, { bucket, offset: rank - below });
        const groups = wanted.get(bucket) ?? new Map<string | null, number>();
        groups.set(group, tally.histogram[bucket] as number);
        wanted.set(bucket, groups);
      }
      ranksOf.set(group, ranks);
    }

    // The values at the wanted ranks of each wanted bucket, per group that needs them.
    const selected = new Map<string | null, Map<number, Map<number, number>>>([...tallies.keys()].map((group) => [group, new Map()]));
    for (const [bucket, groups] of wanted) {
      const fills = new Map<string | null, BucketFill>([...groups].map(([group, count]) => [group, { values: new Float64Array(count), filled: 0 }]));
      for (const run of dayRuns) {
        const rows = db.prepare(`SELECT ${list.list} FROM ${buckets} WHERE bucket = @bucket AND day >= @from AND day < @to`).pluck().all({ bucket, ...run });
        for (const bytes of rows as Buffer[]) {
          const words = readInt32Values(bytes);
          for (let at = 0; at < words.length; ) {
            const count = words[at + 1] as number;
            const group = groupOfKey.get(words[at] as number);
            const fill = group === undefined ? undefined : fills.get(group === '' ? null : group);
            // A count the histograms do not match would overflow here, and is reported below.
            if (fill !== undefined && fill.filled + count <= fill.values.length) fill.values.set(words.subarray(at + 2, at + 2 + count), fill.filled);
            if (fill !== undefined) fill.filled += count;
            at += 2 + count;
          }
        }
      }
      for (const [group, fill] of fills) {
        for (const values of (tallies.get(group) as GroupTally).loose) {
          for (let index = 0; index < values.length; index += 1) {
            const value = values[index] as number;
            if (valueBucket(value) !== bucket) continue;
            if (fill.filled < fill.values.length) fill.values[fill.filled] = value;
            fill.filled += 1;
          }
        }
        if (fill.filled !== fill.values.length) {
          throw new Error(`${buckets} holds ${fill.filled} values of bucket ${bucket} where the histograms count ${fill.values.length}`);
        }
        const offsets = [...(ranksOf.get(group) as Map<number, RankInBucket>).values()].filter((rank) => rank.bucket === bucket).map((rank) => rank.offset);
        selected.get(group)?.set(bucket, wholeValuesAtRanks(fill.values, offsets));
      }
    }

    const stats = new Map<string | null, ValueStats>();
    for (const group of [...tallies.keys()].sort(compareKeys)) {
      const tally = tallies.get(group) as GroupTally;
      const ranks = ranksOf.get(group) as Map<number, RankInBucket>;
      const bucketValues = selected.get(group) as Map<number, Map<number, number>>;
      const valueAt = (rank: number): number => {
        const { bucket, offset } = ranks.get(rank) as RankInBucket;
        return bucketValues.get(bucket)?.get(offset) as number;
      };
      stats.set(group, { count: tally.count, mean: tally.sum / tally.count, percentiles: percentilesAtRanks(tally.count, ascending, valueAt) });
    }
    return stats;
  })();
}

/**
 * Beyond this span a bucket's whole numbers are quickselected instead of
 * counted: a bucket is 9% of its values wide, so latencies up to ~700,000 ms
 * are counted.
 */
const MAX_COUNTED_SPAN = 65_536;

/**
 * valuesAtRanks for whole numbers, which a bucket holds over a narrow range
 * (2,816–3,071 around a 3-second median): counted value by value over that
 * range, one pass, where quickselect swaps through hundreds of thousands of
 * values. May reorder `values`.
 */
function wholeValuesAtRanks(values: Float64Array, ranks: readonly number[]): Map<number, number> {
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (max - min >= MAX_COUNTED_SPAN) return valuesAtRanks(values, ranks);
  const counts = new Uint32Array(max - min + 1);
  for (let index = 0; index < values.length; index += 1) {
    const slot = (values[index] as number) - min;
    counts[slot] = (counts[slot] as number) + 1;
  }
  const selected = new Map<number, number>();
  let slot = 0;
  let below = counts[0] as number;
  for (const rank of ranks) {
    while (below <= rank) below += counts[++slot] as number;
    selected.set(rank, min + slot);
  }
  return selected;
}
