import { BINARY_VALUE_LISTS } from './010-binary-value-lists.js';
import { dayTablesOf } from './016-value-list-days.js';
import type { Migration } from './migration.js';

/**
 * Day lists of integers as int32. The day value lists of migration 016 hold
 * every latency of a 90-day range at 10M bench events as 36 MB of binary64,
 * and reading them is most of `latency` and of the report's p95 (2026-12-02).
 * The SDK measures latencies and time to first token in whole milliseconds
 * (`Date.now()` differences), so most day lists hold only integers: such a
 * list is stored as little-endian int32, half the bytes, with `int32` = 1;
 * any other list (tokens per second, fractional or huge values, -0) stays
 * binary64. The quarter tables keep binary64: the fold appends to them.
 *
 * Every day is marked stale, so that the background fold rewrites the day
 * lists of an upgraded database in the new form; a query reads stale days
 * from the quarter tables meanwhile.
 */
export const integerValueDaysMigration: Migration = {
  version: 23,
  name: 'day value lists of integers as int32',
  sql: BINARY_VALUE_LISTS.map((list) => {
    const { days, stale } = dayTablesOf(list);
    return `
      ALTER TABLE ${days} ADD COLUMN int32 INTEGER NOT NULL DEFAULT 0; -- 1: ${list.list} holds little-endian int32 instead of big-endian binary64
      INSERT INTO ${stale} (day) SELECT DISTINCT day FROM ${days} WHERE day NOT IN (SELECT day FROM ${stale});`;
  }).join('\n'),
};
