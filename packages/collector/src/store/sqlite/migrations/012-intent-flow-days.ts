import type { Migration } from './migration.js';

const PROMPT = `'ai_user_prompt_created'`;
/** A UTC quarter-hour, as in migrations 003–009. */
const QUARTER_MS = 900_000;
/** Quarter-hours per UTC day: quarter / 96 is the UTC day (both count from the epoch). */
const QUARTERS_PER_DAY = 96;
/** As in migration 004: rollup keys cannot be NULL, a missing intent is keyed as ''. */
const key = (expression: string): string => `COALESCE(${expression}, '')`;
/** Migration 009's watermark: the last events id whose effect is in the rollups. */
const FOLDED_THROUGH = '(SELECT folded_through FROM rollup_watermark)';

const DAY_KEY = '(with_debug, to_day, from_day, from_intent, to_intent)';
/** The intent_flow_days key of an intent_flow_rollup row (NEW or OLD). */
const dayKeyOf = (row: string): string =>
  `${row}.with_debug, ${row}.to_quarter / ${QUARTERS_PER_DAY}, ${row}.from_quarter / ${QUARTERS_PER_DAY}, ${row}.from_intent, ${row}.to_intent`;
const dayKeyMatches = (row: string): string => `${DAY_KEY} = (${dayKeyOf(row)})`;

/** Adds `delta` transitions to the day row of an intent_flow_rollup row (NEW or OLD). */
function addToDaySql(row: string, delta: string): string {
  return `INSERT INTO intent_flow_days (with_debug, to_day, from_day, from_intent, to_intent, transitions)
        VALUES (${dayKeyOf(row)}, ${delta})
        ON CONFLICT ${DAY_KEY} DO UPDATE SET transitions = transitions + excluded.transitions;`;
}

/** Takes `delta` transitions from the day row of an intent_flow_rollup row; a row left with none goes. */
function removeFromDaySql(row: string, delta: string): string {
  return `UPDATE intent_flow_days SET transitions = transitions - (${delta}) WHERE ${dayKeyMatches(row)};
      DELETE FROM intent_flow_days WHERE ${dayKeyMatches(row)} AND transitions <= 0;`;
}

const CONVERSATION_PROMPT_KEY = (row: string): string =>
  `quarter = ${row}.ts / ${QUARTER_MS} AND debug = ${row}.debug AND intent = ${key(`${row}.intent`)}`;

function addConversationPromptSql(row: string): string {
  return `INSERT INTO conversation_prompt_rollup (quarter, debug, intent, prompts)
        VALUES (${row}.ts / ${QUARTER_MS}, ${row}.debug, ${key(`${row}.intent`)}, 1)
        ON CONFLICT (quarter, debug, intent) DO UPDATE SET prompts = prompts + 1;`;
}

function removeConversationPromptSql(row: string): string {
  return `UPDATE conversation_prompt_rollup SET prompts = prompts - 1 WHERE ${CONVERSATION_PROMPT_KEY(row)};
      DELETE FROM conversation_prompt_rollup WHERE ${CONVERSATION_PROMPT_KEY(row)} AND prompts <= 0;`;
}

/**
 * Fill the two tables from what is already folded: run once by the migration,
 * and by tests checking that the triggers keep them equal to what these compute.
 */
export const INTENT_FLOW_DAYS_BACKFILLS: readonly string[] = [
  `INSERT INTO intent_flow_days (with_debug, to_day, from_day, from_intent, to_intent, transitions)
      SELECT with_debug, to_quarter / ${QUARTERS_PER_DAY}, from_quarter / ${QUARTERS_PER_DAY}, from_intent, to_intent, SUM(transitions)
        FROM intent_flow_rollup
       GROUP BY 1, 2, 3, 4, 5;`,
  `INSERT INTO conversation_prompt_rollup (quarter, debug, intent, prompts)
      SELECT ts / ${QUARTER_MS}, debug, ${key('intent')}, COUNT(*)
        FROM events
       WHERE event = ${PROMPT} AND conversation_id IS NOT NULL AND id <= ${FOLDED_THROUGH}
       GROUP BY 1, 2, 3;`,
];

/**
 * Intent flows read a few rows per UTC day instead of every transition row
 * of the range, and their ends come from rollups instead of every prompt of
 * the range (measured 2026-12-01, 1M events, 90 days: the ends' window over
 * the events took seconds on a loaded machine, the flow rollup's rows of a
 * 90-day range several hundred ms, and both grow with the events).
 *
 * - `intent_flow_days`: migration 004's `intent_flow_rollup` summed per UTC day
 *   of both prompts. Triggers on that table keep it equal to the sum, so every
 *   path that changes a transition (fold, classification, deletion) carries over.
 *   A range's transitions are then its whole UTC days from here, and the
 *   quarter-hours before and after them (a local day in a zone starts on a
 *   quarter-hour, not at UTC midnight) from intent_flow_rollup.
 * - `intent_flow_rollup_by_from`: the transitions from the partial day at the
 *   range's start into its whole days, read by the quarter of the earlier prompt.
 * - `conversation_prompt_rollup`: prompts that belong to a conversation, per
 *   quarter, flags and intent. A conversation's prompts in a range are
 *   consecutive in its chain, so the conversations whose flow ends on an
 *   intent are these prompts minus the transitions from that intent with both
 *   prompts in the range (intent-queries.ts).
 *
 * Like migration 009's triggers, the new prompt table counts folded events only:
 * the fold adds a prompt, classification moves a folded one, deletion (always
 * after a fold, lifecycle-statements.ts) takes it out.
 */
export const intentFlowDaysMigration: Migration = {
  version: 12,
  name: 'intent flows by UTC day; prompts with a conversation',
  sql: `
    -- from_day ≤ to_day, as from_quarter ≤ to_quarter
    CREATE TABLE intent_flow_days (
      with_debug  INTEGER NOT NULL,
      to_day      INTEGER NOT NULL,
      from_day    INTEGER NOT NULL,
      from_intent TEXT    NOT NULL, -- '' = none
      to_intent   TEXT    NOT NULL,
      transitions INTEGER NOT NULL,
      PRIMARY KEY (with_debug, to_day, from_day, from_intent, to_intent)
    ) WITHOUT ROWID;

    CREATE INDEX intent_flow_rollup_by_from ON intent_flow_rollup (with_debug, from_quarter, to_quarter);

    CREATE TABLE conversation_prompt_rollup (
      quarter INTEGER NOT NULL,
      debug   INTEGER NOT NULL,
      intent  TEXT    NOT NULL, -- '' = none
      prompts INTEGER NOT NULL,
      PRIMARY KEY (quarter, debug, intent)
    ) WITHOUT ROWID;

    ${INTENT_FLOW_DAYS_BACKFILLS.join('\n    ')}

    -- intent_flow_rollup changes by upsert (INSERT, or UPDATE of transitions) and by DELETE of rows left with
    -- none (migrations 004, 008, 009): a key is never updated, so an update moves its day row by the difference.
    CREATE TRIGGER intent_flow_days_insert AFTER INSERT ON intent_flow_rollup
    BEGIN
      ${addToDaySql('NEW', 'NEW.transitions')}
    END;

    CREATE TRIGGER intent_flow_days_update AFTER UPDATE OF transitions ON intent_flow_rollup
    BEGIN
      UPDATE intent_flow_days SET transitions = transitions + NEW.transitions - OLD.transitions WHERE ${dayKeyMatches('NEW')};
      DELETE FROM intent_flow_days WHERE NEW.transitions < OLD.transitions AND ${dayKeyMatches('NEW')} AND transitions <= 0;
    END;

    CREATE TRIGGER intent_flow_days_rekey BEFORE UPDATE OF with_debug, to_quarter, from_quarter, from_intent, to_intent ON intent_flow_rollup
    BEGIN
      SELECT RAISE(ABORT, 'intent_flow_rollup keys are never updated: intent_flow_days (migration 012) follows transitions only');
    END;

    -- a row usually goes once an update left it with none, which took it out of its day already
    CREATE TRIGGER intent_flow_days_delete AFTER DELETE ON intent_flow_rollup
    WHEN OLD.transitions <> 0
    BEGIN
      ${removeFromDaySql('OLD', 'OLD.transitions')}
    END;

    CREATE TRIGGER fold_conversation_prompts INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.event = ${PROMPT} AND NEW.conversation_id IS NOT NULL
    BEGIN
      ${addConversationPromptSql('NEW')}
    END;

    CREATE TRIGGER events_conversation_prompts_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${PROMPT} AND NEW.conversation_id IS NOT NULL AND OLD.intent IS NOT NEW.intent
      AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${addConversationPromptSql('NEW')}
      ${removeConversationPromptSql('OLD')}
    END;

    CREATE TRIGGER events_conversation_prompts_delete AFTER DELETE ON events
    WHEN OLD.event = ${PROMPT} AND OLD.conversation_id IS NOT NULL
    BEGIN
      ${removeConversationPromptSql('OLD')}
    END;
  `,
};
