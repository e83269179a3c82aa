import { DAY_UNIT, staleUnitsSql } from './unit-staleness.js';
import type { Migration } from './migration.js';

/** Quarter-hours per UTC day: a quarter's day is `quarter / 96`. */
const QUARTERS_PER_DAY = 96;

/** The session summaries per UTC day, and the days whose summary no longer matches their quarter lists. */
export const SESSION_DAY_TABLES = { days: 'session_days', stale: 'session_days_stale' } as const;

/**
 * Session summaries per UTC day. `sessions` over 90 days (the report's
 * session figures included) read migration 014's session lists: 8,600
 * quarter rows, 34 MB of 32-byte entries at 10M bench events, 75–110 ms of
 * the report's time (2026-12-02). A day's summary holds what those entries
 * give once added up — counts and sums of the day's ordinary sessions
 * (by their first message, as the lists) — and what cannot be added up:
 * the distinct users (little-endian int32 ordinals, ascending) and every
 * session's duration (big-endian binary64, for the exact median); a quarter
 * of the bytes.
 *
 * A day is stale from the moment one of its quarters is (unit-staleness.ts).
 * The background fold rewrites a stale day from its quarter lists once every
 * quarter of it is fresh again, except the latest day, which ingest keeps
 * changing; a query reads fresh whole days here and the rest from the quarter
 * lists and the rollup (metrics/session-queries.ts).
 */
export const sessionDaysMigration: Migration = {
  version: 21,
  name: 'session summaries per UTC day',
  sql: `
    CREATE TABLE ${SESSION_DAY_TABLES.days} (
      day                     INTEGER PRIMARY KEY, -- UTC day: quarter / ${QUARTERS_PER_DAY}
      sessions                INTEGER NOT NULL,
      messages                INTEGER NOT NULL,
      single_message_sessions INTEGER NOT NULL,
      prompts                 INTEGER NOT NULL,
      single_prompt_sessions  INTEGER NOT NULL,
      total_duration_ms       INTEGER NOT NULL,
      users                   BLOB    NOT NULL, -- distinct user ordinals, little-endian int32, ascending
      durations               BLOB    NOT NULL  -- each session's last - first message time in ms, big-endian binary64
    );
    ${staleUnitsSql('session_lists', 'session_lists_stale', SESSION_DAY_TABLES.stale, DAY_UNIT)}
  `,
};
