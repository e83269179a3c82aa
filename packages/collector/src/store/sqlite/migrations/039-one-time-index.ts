import type { SqlMigration } from './migration.js';

/**
 * One index by time for every event, with its event code beside the time,
 * instead of three: `events_ts` (every event, migration 008), and the partial
 * `events_response_ts` and `events_sdk_health` (responses and SDK health
 * reports, migration 013). An event was entered in two of them when it was a
 * response or a report; now in one. The range scans that read one kind
 * (responses when a filter the rollups lack applies, the health reports of
 * a range or a quarter) read `events_ts` over the range and test the code in
 * the index entry, fetching only the rows of their kind.
 *
 * Measured before the change (2026-12-04): the three held 26 bytes per event
 * at 10M bench events (17.3, 7.0 and 1.7), and under the ingest benchmark's
 * replayed timestamps, which land all over the time range, their pages were a
 * fifth of the write-ahead log's frames (9.7%, 6.6% and 4.6%): each group
 * commit wrote a page of each for nearly every response.
 *
 * The name stays: the statements that name `events_ts` (retention, live
 * conversations, and now the response and report scans) run on a file before
 * this migration as well, with the time-only index.
 */
export const oneTimeIndexMigration: SqlMigration = {
  version: 39,
  name: 'one index by time and event code instead of three',
  sql: `
    DROP INDEX events_response_ts;
    DROP INDEX events_sdk_health;
    DROP INDEX events_ts;
    CREATE INDEX events_ts ON events (ts, event_code);
  `,
};
