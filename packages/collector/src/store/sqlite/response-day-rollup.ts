import type Database from 'better-sqlite3';
import { RESPONSE_DAY_TABLES, responseDaySumsSql } from './migrations/019-response-day-rollup.js';
import { QUARTERS_OF_DAY, StaleDayWriter } from './stale-day-writer.js';

/** Rewrites the response sums of stale days (migration 019) from their quarter rows. */
export class ResponseDayWriter extends StaleDayWriter {
  constructor(db: Database.Database) {
    super(db, RESPONSE_DAY_TABLES, responseDaySumsSql(QUARTERS_OF_DAY));
  }
}
