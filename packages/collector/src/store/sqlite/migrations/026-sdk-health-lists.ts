import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import { markStale } from './014-quarter-lists.js';
import type { Migration } from './migration.js';

const HEALTH = `'${SDK_HEALTH_EVENT}'`;
/** A UTC quarter-hour, as in the other rollups: `ts / 900000`. */
const QUARTER_MS = 900_000;

/** The tables of the SDK health lists (sdk-health-lists.ts reads and writes them). */
export const SDK_HEALTH_LISTS = { lists: 'sdk_health_lists', stale: 'sdk_health_lists_stale' } as const;

/**
 * The SDK's delivery health reports summed per UTC quarter-hour, for
 * `delivery` (and so `report`), which read every report of the range and
 * parsed its JSON: the SDK sends one per session and page, so at 1M bench
 * events with one report per session (105,000 reports) a 90-day `delivery`
 * took 350–500 ms, and it grows with traffic.
 *
 * A quarter's list (sdk-health-lists.ts) holds its reports' counters summed
 * and the browsers that reported, as ordinals of `sdk_browsers`, so that the
 * browsers of a day or range stay distinct across quarters. The lists follow
 * the events rather than updating sums: a quarter turns stale when the fold
 * meets a report of it (batch-fold.ts), when a report is deleted (retention,
 * erasure), or when a relabel changes the user of a report that has no
 * anonymousId (its browser); the background fold rewrites a stale quarter
 * from its reports (all but the newest report's, which ingest keeps
 * changing), and a reader takes stale quarters from the reports themselves.
 * Every quarter holding a report starts stale here.
 */
export const sdkHealthListsMigration: Migration = {
  version: 26,
  name: 'SDK health reports per quarter-hour',
  sql: `
    CREATE TABLE sdk_browsers (
      ordinal INTEGER PRIMARY KEY,
      browser TEXT NOT NULL UNIQUE -- a report's anonymousId, else its user
    );
    CREATE TABLE ${SDK_HEALTH_LISTS.lists} (
      quarter INTEGER PRIMARY KEY,
      entries BLOB NOT NULL -- the sums, then the browsers (sdk-health-lists.ts)
    );
    CREATE TABLE ${SDK_HEALTH_LISTS.stale} (quarter INTEGER PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER sdk_health_lists_delete AFTER DELETE ON events WHEN OLD.event = ${HEALTH}
    BEGIN
      ${markStale(SDK_HEALTH_LISTS.stale, `OLD.ts / ${QUARTER_MS}`)};
    END;
    CREATE TRIGGER sdk_health_lists_relabel AFTER UPDATE OF user_key ON events
      WHEN OLD.event = ${HEALTH} AND OLD.anonymous_id IS NULL
    BEGIN
      ${markStale(SDK_HEALTH_LISTS.stale, `OLD.ts / ${QUARTER_MS}`)};
    END;
    INSERT INTO ${SDK_HEALTH_LISTS.stale} (quarter)
      SELECT DISTINCT ts / ${QUARTER_MS} FROM events INDEXED BY events_sdk_health WHERE event = ${HEALTH};
  `,
};
