import type { Migration } from './migration.js';

/** A UTC quarter-hour, as in the other rollups: `ts / 900000`. */
const QUARTER_MS = 900_000;

/**
 * Marks a row's quarter stale (a statement that may take more AND
 * conditions). Not INSERT OR IGNORE: inside a trigger the fold's upsert into
 * the rollup imposes its own conflict handling, and a second mark of the same
 * quarter would fail the fold.
 */
export function markStale(stale: string, quarter: string): string {
  return `INSERT INTO ${stale} (quarter) SELECT ${quarter} WHERE NOT EXISTS (SELECT 1 FROM ${stale} WHERE quarter = ${quarter})`;
}

export interface ListSource {
  rollup: string;
  /** The quarter of a row, over `NEW.`/`OLD.` or the bare row. */
  quarterOf: (row: string) => string;
  /** The columns whose update changes the list (every column when absent). */
  updateOf?: string;
  /**
   * Another quarter whose list a change of the row changes too (the user's
   * next active quarter, whose first-ness depends on this row), over
   * `NEW.`/`OLD.`; may be NULL.
   */
  otherQuarterOf?: (row: string) => string;
  /**
   * The columns of `updateOf` that the row's own entry is made of: an update
   * changing none of them (only the link to another quarter, say) leaves the
   * row's own list as it was and marks only `otherQuarterOf`. Absent: any
   * update marks the row's quarter.
   */
  entryColumns?: readonly string[];
}

/** A list table, its stale marks, the triggers on the rollup that keep the marks, and the marks of the rows already there. */
export function listsSql(source: ListSource, lists: string, stale: string, entry: string): string {
  const { rollup, quarterOf } = source;
  return `
    CREATE TABLE ${lists} (
      quarter INTEGER PRIMARY KEY,
      entries BLOB NOT NULL -- per ${entry}
    );
    CREATE TABLE ${stale} (quarter INTEGER PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER ${lists}_insert AFTER INSERT ON ${rollup} WHEN NEW.debug = 0
    BEGIN
      ${markStale(stale, quarterOf('NEW.'))};
    END;
    ${listUpdateTriggerSql(source, lists, stale)}
    CREATE TRIGGER ${lists}_delete AFTER DELETE ON ${rollup} WHEN OLD.debug = 0
    BEGIN
      ${markStale(stale, quarterOf('OLD.'))};
      ${markOtherSql(source, stale, 'OLD.')}
    END;
    INSERT INTO ${stale} (quarter) SELECT DISTINCT ${quarterOf('')} FROM ${rollup} WHERE debug = 0;`;
}

/** The marks of the other quarter a row's change touches (ListSource.otherQuarterOf), as statements; empty when there is none. */
function markOtherSql({ otherQuarterOf }: ListSource, stale: string, row: 'NEW.' | 'OLD.'): string {
  return otherQuarterOf === undefined ? '' : `${markStale(stale, otherQuarterOf(row))} AND ${otherQuarterOf(row)} IS NOT NULL AND ${row}debug = 0;`;
}

/** The trigger `${lists}_update`: an updated rollup row marks its old and new quarters (see ListSource.entryColumns) and the other quarters. */
export function listUpdateTriggerSql(source: ListSource, lists: string, stale: string): string {
  const { rollup, quarterOf, updateOf, entryColumns } = source;
  const ownEntryChanged =
    entryColumns === undefined ? '' : ` AND (${entryColumns.map((column) => `OLD.${column} IS NOT NEW.${column}`).join(' OR ')})`;
  return `CREATE TRIGGER ${lists}_update AFTER UPDATE${updateOf === undefined ? '' : ` OF ${updateOf}`} ON ${rollup} WHEN OLD.debug = 0 OR NEW.debug = 0
    BEGIN
      ${markStale(stale, quarterOf('OLD.'))} AND OLD.debug = 0${ownEntryChanged};
      ${markStale(stale, quarterOf('NEW.'))} AND NEW.debug = 0${ownEntryChanged};
      ${markOtherSql(source, stale, 'OLD.')}
      ${markOtherSql(source, stale, 'NEW.')}
    END;`;
}

/** The activity users lists' source as this migration made it: any update of a row marks its quarter (migration 038 narrows that). */
export const ACTIVITY_USERS_SOURCE: ListSource = {
  rollup: 'user_activity',
  quarterOf: (row) => `${row}quarter`,
  updateOf: 'quarter, user_key, debug, next_quarter',
  otherQuarterOf: (row) => `${row}next_quarter`,
};

const firstQuarterOf = (row: string): string => `${row}first_ts / ${QUARTER_MS}`;

/**
 * Quarter lists: the ordinary sessions and conversations (debug = 0) of each
 * UTC quarter-hour of their first message, as one binary list per quarter
 * (quarter-lists.ts), so that `sessions` and `conversations` read a few
 * thousand rows for a range instead of one rollup row per session or
 * conversation (1M rows for 90 days at 10M events), and count distinct users
 * over integer ordinals instead of user keys in a temporary b-tree. Likewise
 * the steps of the `user_activity` chains (activity-queries.ts), counted per
 * distinct step, which is all DAU/WAU/MAU need of a quarter's rows, and its
 * users by ordinal for first-seen retention (retention-queries.ts).
 *
 * - `user_ordinals` numbers user keys once. An explicit INTEGER PRIMARY KEY,
 *   because VACUUM may renumber an implicit rowid (and the lists keep the
 *   numbers). Erasure deletes the erased keys' rows (lifecycle-statements.ts).
 * - `session_lists.entries`: per session the user's ordinal, the duration in
 *   ms (last - first message), the user messages, the bot messages.
 *   `conversation_lists.entries`: per conversation the user's ordinal, the prompts.
 *   `activity_steps.entries`: per distinct step to the user's next active
 *   quarter (`next_quarter - quarter`, 0 when none), the users taking it.
 *   `activity_users.entries`: per active user, the ordinal and whether the
 *   quarter is the user's first active one (first-seen retention); a row's
 *   change also marks its next active quarter, whose first-ness it decides.
 * - `*_stale` holds the quarters whose rows changed since their list was
 *   written: every change of an ordinary rollup row (the fold, identify's
 *   relabel, deletions) marks the quarters of its old and new first time.
 *   The background fold rewrites stale lists a few at a time; a query reads a
 *   stale quarter from the rollup itself, so an answer never depends on how
 *   far the rewriting got.
 *
 * The migration marks every quarter holding a row stale: the lists of an
 * existing database are written by the background fold after the upgrade.
 */
export const quarterListsMigration: Migration = {
  version: 14,
  name: 'session, conversation and activity lists per quarter-hour',
  sql: `
    CREATE TABLE user_ordinals (
      ordinal INTEGER PRIMARY KEY,
      user_key TEXT NOT NULL UNIQUE
    );
    ${listsSql({ rollup: 'session_rollup', quarterOf: firstQuarterOf }, 'session_lists', 'session_lists_stale', 'session: user ordinal, duration ms, user messages, bot messages (big-endian binary64)')}
    ${listsSql({ rollup: 'conversation_rollup', quarterOf: firstQuarterOf }, 'conversation_lists', 'conversation_lists_stale', 'conversation: user ordinal, prompts (big-endian binary64)')}
    ${listsSql(
      { rollup: 'user_activity', quarterOf: (row) => `${row}quarter`, updateOf: 'quarter, user_key, debug, next_quarter' },
      'activity_steps',
      'activity_steps_stale',
      'distinct step: quarters to the next active quarter of the user (0 = none), users (big-endian binary64)',
    )}
    ${listsSql(
      ACTIVITY_USERS_SOURCE,
      'activity_users',
      'activity_users_stale',
      'active user: ordinal × 2 + 1 when it is the user’s first active quarter (little-endian int32)',
    )}
  `,
};
