import { BINARY_VALUE_LISTS } from './010-binary-value-lists.js';
import type { ValueList } from './005-streaming-response-ids-delivery.js';
import { dayTablesOf } from './016-value-list-days.js';
import type { Migration } from './migration.js';

/** The keys of the day buckets, shared by every value list: a number per (debug, model, intent). */
export const VALUE_LIST_KEYS = 'value_list_keys';

/** The tables of a value list's day buckets: a histogram row per day, and the values bucket by bucket. */
export function bucketTablesOf(list: ValueList): { histograms: string; buckets: string } {
  return { histograms: `${list.table}_day_histograms`, buckets: `${list.table}_day_buckets` };
}

/**
 * Day value lists split by value (value-buckets.ts). A 90-day percentile at
 * 10M bench events read every latency of the range, 4.4M values and 17.6 MB
 * even as int32 (migration 023), to select three of them: most of `latency`
 * and of the report (2026-12-02). Each day now also has
 *
 * - a histogram row: for each key (debug, model, intent, numbered in
 *   `value_list_keys`) of the day's lists, how many of its values fall in
 *   each bucket (buckets are about 9% wide, eight per octave) and their exact
 *   sum, so that counts, means and the bucket holding each wanted rank come
 *   from a few kilobytes per day;
 * - its values bucket by bucket, every key's in one row per bucket and day,
 *   keyed by bucket first, so that a percentile reads only the bucket holding
 *   its rank, across every day of the range.
 *
 * One row per day and per bucket and day, not per key: reading a row costs
 * more than reading its bytes (3,665 key rows of histograms took 15–20 ms
 * for 90 days, measured 2026-12-02), so the keys are filtered in
 * `value_list_keys` and picked out of the rows in JavaScript.
 *
 * A list holding any other value (a fraction, -0, beyond int32) has no
 * buckets, and a range that holds one is read from the day lists as before.
 * Every day is marked stale, so that the background fold writes the buckets
 * of an upgraded database; a query reads stale days from the quarter tables
 * meanwhile.
 */
export const valueBucketsMigration: Migration = {
  version: 24,
  name: 'day value lists split by value',
  sql: `
    CREATE TABLE ${VALUE_LIST_KEYS} (
      key_id INTEGER PRIMARY KEY,
      debug INTEGER NOT NULL,
      model TEXT NOT NULL, -- '' = none
      intent TEXT NOT NULL, -- '' = none
      UNIQUE (debug, model, intent)
    );
    ${BINARY_VALUE_LISTS.map((list) => {
      const { days, stale } = dayTablesOf(list);
      const { histograms, buckets } = bucketTablesOf(list);
      return `
    CREATE TABLE ${histograms} (
      day INTEGER PRIMARY KEY,
      histograms BLOB NOT NULL -- little-endian int32 (value-buckets.ts): per key, its number, sum, bucket count and (bucket, values) pairs
    );
    CREATE TABLE ${buckets} (
      bucket INTEGER NOT NULL,
      day INTEGER NOT NULL,
      ${list.list} BLOB NOT NULL, -- little-endian int32 (value-buckets.ts): per key, its number, value count and values
      PRIMARY KEY (bucket, day)
    ) WITHOUT ROWID;
    INSERT INTO ${stale} (day) SELECT DISTINCT day FROM ${days} WHERE day NOT IN (SELECT day FROM ${stale});`;
    }).join('\n')}`,
};
