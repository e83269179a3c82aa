import type { Migration } from './migration.js';
import { FOLDED_THROUGH } from './009-rollup-materializer.js';

const ACTION = `'ai_user_action'`;
/** A UTC quarter-hour, as in migrations 003–012: every zone's local days are whole quarters. */
const QUARTER_MS = 900_000;

/**
 * Ratings are kept as whole 1/1024ths of a point. Ratings are any finite
 * number on the wire (ingest/to-event-record.ts), so a REAL sum of partial
 * sums would not always give the bits of SQLite's TOTAL() over the events. A
 * rating that is a multiple of 1/1024 with |rating| ≤ 1024 (whole stars, halves,
 * quarters…) is an exact integer here, and the range's TOTAL() of such ratings
 * is their exact sum (every partial sum is a multiple of 2⁻¹⁰ below 2⁵³ while
 * there are fewer than 2³³ ratings), which the integer sum divided by 1024
 * gives bit for bit. Other ratings (0.1, 1e9) are only counted
 * (`inexact_ratings`): a query meeting one reads the events instead.
 */
export const RATING_UNITS_PER_POINT = 1024;
const RATING_BOUND = 1024;

const isRating = (row: string): string => `${row}.feedback_type = 'rating' AND ${row}.rating IS NOT NULL`;
const isExactRating = (row: string): string =>
  `${isRating(row)} AND abs(${row}.rating) <= ${RATING_BOUND}
        AND ${row}.rating * ${RATING_UNITS_PER_POINT} = CAST(${row}.rating * ${RATING_UNITS_PER_POINT} AS INTEGER)`;

/** satisfaction_rollup's counters and one feedback event's contribution to each. */
export const SATISFACTION_COUNTERS: readonly (readonly [column: string, contribution: (row: string) => string])[] = [
  ['feedback', () => '1'],
  ['ratings', (row) => `(${isRating(row)})`],
  ['rating_units', (row) => `CASE WHEN ${isExactRating(row)} THEN CAST(${row}.rating * ${RATING_UNITS_PER_POINT} AS INTEGER) ELSE 0 END`],
  ['inexact_ratings', (row) => `(${isRating(row)} AND NOT (${isExactRating(row)}))`],
  ['thumbs', (row) => `(${row}.feedback_type = 'thumbs' AND ${row}.thumbs_up IS NOT NULL)`],
  ['thumbs_up', (row) => `(${row}.feedback_type = 'thumbs' AND ${row}.thumbs_up IS 1)`],
];
const COUNTER_COLUMNS = SATISFACTION_COUNTERS.map(([column]) => column).join(', ');

/** The rollup key of events row `row`: intent and turn model '' when none, as migration 004's rollups key them. */
const keyValues = (row: string): string =>
  `${row}.ts / ${QUARTER_MS}, ${row}.debug, COALESCE(${row}.intent, ''), COALESCE(${row}.turn_model, '')`;
const KEY_COLUMNS = 'quarter, debug, intent, model';
const MATCHES_KEY = (row: string): string =>
  `quarter = ${row}.ts / ${QUARTER_MS} AND debug = ${row}.debug AND intent = COALESCE(${row}.intent, '') AND model = COALESCE(${row}.turn_model, '')`;
const ADD_EXCLUDED = SATISFACTION_COUNTERS.map(([column]) => `${column} = ${column} + excluded.${column}`).join(', ');

/** Whether events row `row` is feedback (what the satisfaction metric counts). */
const isFeedback = (row: string): string => `${row}.event = ${ACTION} AND ${row}.feedback_type IS NOT NULL`;

/**
 * Folds the feedback among events `e` with ids in (@after, @through] (one
 * fold batch, rollup-materializer.ts), read after the batch's per-event
 * triggers set their turn model. NOT INDEXED: the batch is a primary-key range.
 */
export const FOLD_SATISFACTION_SQL = `INSERT INTO satisfaction_rollup (${KEY_COLUMNS}, ${COUNTER_COLUMNS})
      SELECT ${keyValues('e')}, ${SATISFACTION_COUNTERS.map(([, contribution]) => `SUM(${contribution('e')})`).join(', ')}
        FROM events e NOT INDEXED WHERE e.id > @after AND e.id <= @through AND ${isFeedback('e')}
       GROUP BY 1, 2, 3, 4
      ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET ${ADD_EXCLUDED}`;

function addFeedbackSql(row: string): string {
  return `INSERT INTO satisfaction_rollup (${KEY_COLUMNS}, ${COUNTER_COLUMNS})
        VALUES (${keyValues(row)}, ${SATISFACTION_COUNTERS.map(([, contribution]) => contribution(row)).join(', ')})
        ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET ${ADD_EXCLUDED};`;
}

/** The inverse of addFeedbackSql: counters go down, rows with no feedback left go. */
function removeFeedbackSql(row: string): string {
  return `UPDATE satisfaction_rollup SET ${SATISFACTION_COUNTERS.map(([column, contribution]) => `${column} = ${column} - ${contribution(row)}`).join(', ')}
       WHERE ${MATCHES_KEY(row)};
      DELETE FROM satisfaction_rollup WHERE ${MATCHES_KEY(row)} AND feedback <= 0;`;
}

/** Quarter-hours per UTC day: a quarter's UTC day is quarter / 96 (both count from the epoch). */
const QUARTERS_PER_DAY = 96;
const DAY_KEY = '(day, debug, intent, model)';
const dayKeyOf = (row: string): string => `${row}.quarter / ${QUARTERS_PER_DAY}, ${row}.debug, ${row}.intent, ${row}.model`;
const dayKeyMatches = (row: string): string => `${DAY_KEY} = (${dayKeyOf(row)})`;

/** Adds the counters of satisfaction_rollup row `row` to its day row. */
function addToDaySql(row: string): string {
  return `INSERT INTO satisfaction_days (day, debug, intent, model, ${COUNTER_COLUMNS})
        VALUES (${dayKeyOf(row)}, ${SATISFACTION_COUNTERS.map(([column]) => `${row}.${column}`).join(', ')})
        ON CONFLICT ${DAY_KEY} DO UPDATE SET ${ADD_EXCLUDED};`;
}

/** Takes the counters of satisfaction_rollup row `row` from its day row; a day left with no feedback goes. */
function removeFromDaySql(row: string): string {
  return `UPDATE satisfaction_days SET ${SATISFACTION_COUNTERS.map(([column]) => `${column} = ${column} - ${row}.${column}`).join(', ')}
       WHERE ${dayKeyMatches(row)};
      DELETE FROM satisfaction_days WHERE ${dayKeyMatches(row)} AND feedback <= 0;`;
}

/**
 * Fill the two tables from the feedback already folded: run once by the
 * migration, and by tests checking that the fold and the triggers keep them
 * equal to what these statements compute.
 */
export const SATISFACTION_BACKFILLS: readonly string[] = [
  `INSERT INTO satisfaction_rollup (${KEY_COLUMNS}, ${COUNTER_COLUMNS})
      SELECT ${keyValues('e')}, ${SATISFACTION_COUNTERS.map(([, contribution]) => `SUM(${contribution('e')})`).join(', ')}
        FROM events e INDEXED BY events_feedback_turn_metrics
       WHERE ${isFeedback('e')} AND e.id <= ${FOLDED_THROUGH}
       GROUP BY 1, 2, 3, 4;`,
  `INSERT INTO satisfaction_days (day, debug, intent, model, ${COUNTER_COLUMNS})
      SELECT quarter / ${QUARTERS_PER_DAY}, debug, intent, model, ${SATISFACTION_COUNTERS.map(([column]) => `SUM(${column})`).join(', ')}
        FROM satisfaction_rollup
       GROUP BY 1, 2, 3, 4;`,
];

/**
 * Satisfaction without reading feedback events (metrics/feedback-queries.ts):
 * per UTC quarter-hour, traffic flags, intent and turn model ('' = none), the
 * feedback count, ratings, their sum in 1/1024ths (see RATING_UNITS_PER_POINT)
 * and the ratings that sum cannot hold, thumbs and thumbs up: at most one row
 * per key and quarter however much feedback there is (41 keys in the bench
 * data). `satisfaction_days` sums it per UTC day, kept equal to that sum by triggers
 * on satisfaction_rollup (as migration 012 keeps intent_flow_days): a range
 * reads its whole UTC days there and the quarter-hours before and after them
 * (a local day in a zone starts on a quarter-hour, not at UTC midnight) from
 * satisfaction_rollup, so that it reads rows per day rather than per quarter.
 *
 * Folded a batch at a time after the per-event triggers (batch-fold.ts), so a
 * batch's feedback is counted under the turn model the batch left it with.
 * Feedback already folded moves to its new key when its turn model changes
 * (a response arriving later, migration 005; a response deleted, 008) or its
 * intent does (classification gives a turn's actions their prompt's intent),
 * and is taken out when it is deleted (as 008). Feedback already folded is
 * backfilled; later feedback is left to the materializer.
 */
export const satisfactionRollupMigration: Migration = {
  version: 15,
  name: 'satisfaction per quarter-hour and UTC day, intent and turn model',
  sql: `
    CREATE TABLE satisfaction_rollup (
      quarter         INTEGER NOT NULL,
      debug           INTEGER NOT NULL,
      intent          TEXT    NOT NULL,
      model           TEXT    NOT NULL, -- the feedback's turn_model
      feedback        INTEGER NOT NULL, -- feedback events, whether or not they carry a rating or thumb
      ratings         INTEGER NOT NULL,
      rating_units    INTEGER NOT NULL, -- sum of the exact ratings, in 1/${RATING_UNITS_PER_POINT}ths of a point
      inexact_ratings INTEGER NOT NULL, -- ratings rating_units cannot hold exactly
      thumbs          INTEGER NOT NULL,
      thumbs_up       INTEGER NOT NULL,
      PRIMARY KEY (quarter, debug, intent, model)
    ) WITHOUT ROWID;

    CREATE TABLE satisfaction_days (
      day             INTEGER NOT NULL, -- UTC day: quarter / ${QUARTERS_PER_DAY}
      debug           INTEGER NOT NULL,
      intent          TEXT    NOT NULL,
      model           TEXT    NOT NULL,
      feedback        INTEGER NOT NULL,
      ratings         INTEGER NOT NULL,
      rating_units    INTEGER NOT NULL,
      inexact_ratings INTEGER NOT NULL,
      thumbs          INTEGER NOT NULL,
      thumbs_up       INTEGER NOT NULL,
      PRIMARY KEY (day, debug, intent, model)
    ) WITHOUT ROWID;

    ${SATISFACTION_BACKFILLS.join('\n    ')}

    -- satisfaction_rollup changes by upsert (INSERT, or UPDATE of its counters) and by DELETE of rows left with
    -- no feedback; its keys are never updated, so an update moves the day row by the difference.
    CREATE TRIGGER satisfaction_days_insert AFTER INSERT ON satisfaction_rollup
    BEGIN
      ${addToDaySql('NEW')}
    END;

    CREATE TRIGGER satisfaction_days_update AFTER UPDATE OF ${COUNTER_COLUMNS} ON satisfaction_rollup
    BEGIN
      UPDATE satisfaction_days SET ${SATISFACTION_COUNTERS.map(([column]) => `${column} = ${column} + NEW.${column} - OLD.${column}`).join(', ')}
       WHERE ${dayKeyMatches('NEW')};
      DELETE FROM satisfaction_days WHERE ${dayKeyMatches('NEW')} AND feedback <= 0;
    END;

    -- a row usually goes once an update left it with no feedback, which took it out of its day already
    CREATE TRIGGER satisfaction_days_delete AFTER DELETE ON satisfaction_rollup
    WHEN OLD.feedback <> 0
    BEGIN
      ${removeFromDaySql('OLD')}
    END;

    -- a folded feedback event's turn model or intent changes (one not folded yet is folded with its new values)
    CREATE TRIGGER events_satisfaction_rekey AFTER UPDATE OF intent, turn_model ON events
    WHEN ${isFeedback('NEW')} AND (OLD.intent IS NOT NEW.intent OR OLD.turn_model IS NOT NEW.turn_model)
      AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${addFeedbackSql('NEW')}
      ${removeFeedbackSql('OLD')}
    END;

    CREATE TRIGGER events_satisfaction_delete AFTER DELETE ON events
    WHEN ${isFeedback('OLD')} AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${removeFeedbackSql('OLD')}
    END;
  `,
};
