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

/**
 * Fill the rollup from the feedback already folded: run once by the
 * migration, and by tests checking that the fold and the triggers keep it
 * equal to what this statement computes.
 */
export const SATISFACTION_BACKFILL = `INSERT INTO satisfaction_rollup (${KEY_COLUMNS}, ${COUNTER_COLUMNS})
      SELECT ${keyValues('e')}, ${SATISFACTION_COUNTERS.map(([, contribution]) => `SUM(${contribution('e')})`).join(', ')}
        FROM events e INDEXED BY events_feedback_turn_metrics
       WHERE ${isFeedback('e')} AND e.id <= ${FOLDED_THROUGH}
       GROUP BY 1, 2, 3, 4;`;

/**
 * Satisfaction without reading feedback events (metrics/feedback-queries.ts):
 * per UTC quarter-hour, traffic flags, intent and turn model ('' = none), the
 * feedback count, ratings, their sum in 1/1024ths (see RATING_UNITS_PER_POINT)
 * and the ratings that sum cannot hold, thumbs and thumbs up. A range reads a
 * few dozen rows per quarter-hour however much feedback there is.
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
  version: 14,
  name: 'satisfaction per quarter-hour, intent and turn model',
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

    ${SATISFACTION_BACKFILL}

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
