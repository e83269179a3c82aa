import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import { CHATMETER_SDK_LIBRARY } from '../../../metrics/sdk-library.js';
import { fromSdk, SDK_EVENT_ROLLUP_ON_INSERT } from './005-streaming-response-ids-delivery.js';
import type { Migration } from './migration.js';

/** A UTC quarter-hour, as in migrations 003–013. */
const QUARTER_MS = 900_000;
const HEALTH = `'${SDK_HEALTH_EVENT}'`;

/** Whether the context JSON `text` names the Chatmeter SDK as its library (migration 005's test, on any text). */
export const sdkLibrary = (text: string): string =>
  `json_valid(${text}) AND json_extract(${text}, '$.library.name') = '${CHATMETER_SDK_LIBRARY}'`;

/**
 * Events sent by the Chatmeter SDK, health reports excepted, whichever way
 * `row` keeps its context: the dictionary entry it names, or (rows stored
 * before this migration) its own text. One dictionary lookup per event.
 */
const fromSdkEither = (row: string): string =>
  `${row}.event IS NOT ${HEALTH} AND CASE WHEN ${row}.context_id IS NULL THEN ${sdkLibrary(`${row}.context`)}
     ELSE (SELECT ${sdkLibrary('context')} FROM contexts WHERE id = ${row}.context_id) END`;

/**
 * The SDK-event rollup computed from the stored events, wherever they keep
 * their context: migration 005's backfill for databases since this one (run
 * by tests checking that the triggers keep the rollup equal to it).
 */
export const SDK_EVENT_ROLLUP_BACKFILL = `INSERT INTO sdk_event_rollup (quarter, events)
      SELECT ts / ${QUARTER_MS}, COUNT(*) FROM events WHERE ${fromSdkEither('events')} GROUP BY 1;`;

/** An event OLD leaves its quarter of sdk_event_rollup when `sdk` holds (migration 008's statements). */
const sdkEventRollupOnDelete = (sdk: string): string => `UPDATE sdk_event_rollup SET events = events - 1 WHERE quarter = OLD.ts / ${QUARTER_MS} AND (${sdk});
      DELETE FROM sdk_event_rollup WHERE quarter = OLD.ts / ${QUARTER_MS} AND events <= 0;`;

/**
 * Each distinct event context stored once. The context is the same for every
 * event of a page session (user agent, page URL, locale, library, time
 * zone…), yet every row carried its own copy: 81 of the 708 bytes per event
 * of the 50,000-event bench database, and more with a real SDK's contexts.
 *
 * - `contexts`: one row per distinct context JSON (as serializeEvent writes
 *   it, without the session id), found by a 48-bit hash of the text
 *   (context-dictionary.ts) and then the text itself, so a collision only
 *   costs a comparison. An index on the text would hold a second copy of
 *   every context: with SDK-sized contexts (419 bytes: user agent, page URL,
 *   screen…) that doubled the dictionary, 64 against 32 bytes per event at
 *   15 events per context and 320 against 158 at 3 (measured 2026-12-02,
 *   100,000 events).
 * - `events.context_id`: the dictionary row of events stored from now on,
 *   whose `context` column is then the empty string. Rows stored before keep
 *   their text and a NULL id; nothing is rewritten.
 * - `refs`: how many events name the row. The writer adds its transaction's
 *   count per context (context-dictionary.ts), the delete trigger takes one
 *   off per deleted event and deletes the row when none is left, so erasure
 *   and retention take the user agents and page URLs with the last event that
 *   named them.
 * - `context_deletions`: a counter every deleted dictionary row moves on. The
 *   writer keeps ids in memory, and an id whose row another connection
 *   deleted could be handed to a different text later; the counter tells it
 *   to forget them.
 * - The SDK-event rollup reads the dictionary: migration 009's fold trigger
 *   and migration 008's delete trigger are replaced. The delete side is one
 *   trigger for rows with an id, so the rollup reads the context before the
 *   reference count may delete it (SQLite sets no order between triggers).
 */
export const contextDictionaryMigration: Migration = {
  version: 17,
  name: 'each distinct event context stored once',
  sql: `
    CREATE TABLE contexts (
      id      INTEGER PRIMARY KEY,
      hash    INTEGER NOT NULL,
      context TEXT    NOT NULL,
      refs    INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX contexts_hash ON contexts (hash);
    ALTER TABLE events ADD COLUMN context_id INTEGER;

    CREATE TABLE context_deletions (
      id        INTEGER PRIMARY KEY CHECK (id = 1),
      deletions INTEGER NOT NULL
    );
    INSERT INTO context_deletions (id, deletions) VALUES (1, 0);

    CREATE TRIGGER contexts_deleted AFTER DELETE ON contexts
    BEGIN
      UPDATE context_deletions SET deletions = deletions + 1;
    END;

    DROP TRIGGER fold_sdk_event_rollup;
    CREATE TRIGGER fold_sdk_event_rollup INSTEAD OF INSERT ON events_to_fold
    WHEN ${fromSdkEither('NEW')}
    BEGIN
      ${SDK_EVENT_ROLLUP_ON_INSERT}
    END;

    DROP TRIGGER events_sdk_event_rollup_delete;
    CREATE TRIGGER events_sdk_event_rollup_delete AFTER DELETE ON events
    WHEN OLD.context_id IS NULL AND ${fromSdk('OLD')}
    BEGIN
      ${sdkEventRollupOnDelete('1')}
    END;

    CREATE TRIGGER events_context_delete AFTER DELETE ON events
    WHEN OLD.context_id IS NOT NULL
    BEGIN
      ${sdkEventRollupOnDelete(fromSdkEither('OLD'))}
      UPDATE contexts SET refs = refs - 1 WHERE id = OLD.context_id;
      DELETE FROM contexts WHERE id = OLD.context_id AND refs <= 0;
    END;
  `,
};
