import type { Migration } from './migration.js';

/**
 * The three times an event carries besides its timestamp (`ts`) are stored
 * as milliseconds from it. As epoch milliseconds each took 6 bytes; the
 * client's own timestamp, its send time and the collector's receive time lie
 * within seconds of the skew-corrected `ts` (minutes or days for an offline
 * queue), so an offset takes 1–4 bytes, and 0 none.
 *
 * `original_ts`, `sent_at` and `received_at` become `…_offset` columns, so
 * no statement can read an offset as a time; readers add `ts` back
 * (stored-times.ts). Existing rows are rewritten here, in one pass.
 */
export const eventTimeOffsetsMigration: Migration = {
  version: 32,
  name: 'event times stored as offsets from the timestamp',
  sql: `
    ALTER TABLE events RENAME COLUMN original_ts TO original_ts_offset;
    ALTER TABLE events RENAME COLUMN sent_at TO sent_at_offset;
    ALTER TABLE events RENAME COLUMN received_at TO received_at_offset;
    UPDATE events SET original_ts_offset = original_ts_offset - ts, sent_at_offset = sent_at_offset - ts,
                      received_at_offset = received_at_offset - ts;
  `,
};
