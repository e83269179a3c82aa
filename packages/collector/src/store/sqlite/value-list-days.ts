import type Database from 'better-sqlite3';
import { writeInt32Values } from './int32-values.js';
import type { ValueList } from './migrations/005-streaming-response-ids-delivery.js';
import { dayTablesOf } from './migrations/016-value-list-days.js';
import { bucketTablesOf, VALUE_LIST_KEYS } from './migrations/024-value-buckets.js';
import { readFloat64Values } from './metrics/float64-values.js';
import { QUARTERS_OF_DAY, StaleDayWriter } from './stale-day-writer.js';
import { allWholeInt32, histogramBuckets, splitByBucket, writeBucketRows, writeDayHistograms, type KeyBuckets } from './value-buckets.js';

/**
 * Rewrites the day lists of stale days (migration 016): each key's chunks of
 * the day concatenated in quarter and chunk order, so that a day list holds
 * the values in the order of the quarter table; a list of integers as
 * little-endian int32 (migration 023), any other as big-endian binary64.
 * With the lists, the day's histogram row and bucket rows (migration 024).
 */
export class ValueListDayWriter extends StaleDayWriter {
  constructor(db: Database.Database, list: ValueList) {
    const { days, stale } = dayTablesOf(list);
    const { histograms, buckets } = bucketTablesOf(list);
    const dayLists = db
      .prepare(
        `SELECT debug, model, intent, CAST(group_concat(${list.list}, '' ORDER BY quarter, chunk) AS BLOB)
           FROM ${list.table} WHERE ${QUARTERS_OF_DAY}
          GROUP BY debug, model, intent`,
      )
      .raw();
    const insert = db.prepare(`INSERT INTO ${days} (day, debug, model, intent, ${list.list}, int32) VALUES (?, ?, ?, ?, ?, ?)`);
    const addKey = db.prepare(`INSERT OR IGNORE INTO ${VALUE_LIST_KEYS} (debug, model, intent) VALUES (?, ?, ?)`);
    const keyId = db.prepare(`SELECT key_id FROM ${VALUE_LIST_KEYS} WHERE debug = ? AND model = ? AND intent = ?`).pluck();
    const dayHistograms = db.prepare(`SELECT histograms FROM ${histograms} WHERE day = ?`).pluck();
    const deleteHistograms = db.prepare(`DELETE FROM ${histograms} WHERE day = ?`);
    // Keyed by bucket first: the day's rows are found through the buckets its histogram row names.
    const deleteBucket = db.prepare(`DELETE FROM ${buckets} WHERE bucket = ? AND day = ?`);
    const insertHistograms = db.prepare(`INSERT INTO ${histograms} (day, histograms) VALUES (?, ?)`);
    const insertBucket = db.prepare(`INSERT INTO ${buckets} (bucket, day, ${list.list}) VALUES (?, ?, ?)`);
    super(db, { quarters: list.table, days, stale }, (day) => {
      const written = dayHistograms.get(day) as Buffer | undefined;
      if (written !== undefined) for (const bucket of histogramBuckets(written)) deleteBucket.run(bucket, day);
      deleteHistograms.run(day);
      const keys: KeyBuckets[] = [];
      for (const [debug, model, intent, bytes] of dayLists.all({ day }) as [number, string, string, Buffer][]) {
        addKey.run(debug, model, intent);
        const key = keyId.get(debug, model, intent) as number;
        // Decided before the bytes are swapped in place: a binary64 list is stored as it came.
        const values = readFloat64Values(Buffer.from(bytes));
        if (allWholeInt32(values)) {
          insert.run(day, debug, model, intent, writeInt32Values(values), 1);
          keys.push({ keyId: key, buckets: splitByBucket(values) });
        } else {
          insert.run(day, debug, model, intent, bytes, 0);
          keys.push({ keyId: key, buckets: null });
        }
      }
      if (keys.length === 0) return;
      insertHistograms.run(day, writeDayHistograms(keys));
      for (const [bucket, row] of writeBucketRows(keys)) insertBucket.run(bucket, day, row);
    });
  }
}
