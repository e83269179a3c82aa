import {
  addLatencySql,
  addPromptSql,
  addResponseSql,
  CHAINS,
  flowsOnInsertSql,
  flowsOnIntentChangeSql,
  PROMPT_ROLLUPS_ON_INTENT_CHANGE,
  removeLatencySql,
  removeResponseSql,
} from './004-event-rollups.js';
import {
  addValueSql,
  CONVERSATION_QUARTERS_ON_INSERT,
  FEEDBACK_MODEL,
  fromSdk,
  RATED_RESPONSE_ON_INSERT,
  removeValueSql,
  SDK_EVENT_ROLLUP_ON_INSERT,
  VALUE_LISTS,
} from './005-streaming-response-ids-delivery.js';
import { FIRST_TOUCH_ON_INSERT } from './006-first-touch.js';
import type { Migration } from './migration.js';

const PROMPT = `'ai_user_prompt_created'`;
const RESPONSE = `'ai_llm_response_received'`;
const ACTION = `'ai_user_action'`;
/** A UTC quarter-hour, as in migrations 003–008. */
const QUARTER_MS = 900_000;

/** The last events id whose effect is in the rollups (rollup-materializer.ts moves it forward). */
export const FOLDED_THROUGH = '(SELECT folded_through FROM rollup_watermark)';
/** Only events already folded count when a trigger of a folded event looks at others. */
const FOLDED_ONLY = ` AND id <= ${FOLDED_THROUGH}`;
/** Events reach the fold in id order, so every event with a lower id than NEW is already folded. */
const FOLDED_BEFORE_NEW = ' AND id < NEW.id';

/** The triggers on `events` that did the rollup work inside the ingest transaction (migrations 003–006). */
const INSERT_TRIGGERS = [
  'events_rollups_insert',
  'events_response_rollups_insert',
  'events_conversation_quarters_insert',
  'events_prompt_rollups_insert',
  'events_intent_flows_insert',
  'events_feedback_turn_model',
  'events_stream_lists_insert',
  'events_sdk_event_rollup',
  'events_feedback_rated_response',
  'events_first_touch_insert',
] as const;

/**
 * Append-only ingest: the request transaction only inserts events (and what
 * must be decided then: duplicates, identity links, users, the intent queue);
 * the rollups are maintained afterwards by rollup-materializer.ts.
 *
 * - `rollup_watermark` holds the last events id folded into the rollups; events
 *   stored before this migration were folded by the triggers it drops.
 * - The AFTER INSERT triggers of migrations 004–006 become INSTEAD OF INSERT
 *   triggers on the view `events_to_fold`, with the same bodies: the
 *   materializer inserts the next events into the view, in id order, and moves
 *   the watermark in the same transaction. Intent-flow neighbours are the
 *   prompts with a lower id, i.e. exactly those an AFTER INSERT trigger saw.
 *   Migration 003's user rollups are folded a batch at a time instead
 *   (user-rollup-folds.ts), in the same transaction.
 * - The UPDATE triggers (identify/alias relabelling, classification) act only
 *   on folded events, and look only at folded ones: an event not folded yet
 *   is folded later with its new values.
 * - The DELETE triggers of migration 008 are unchanged: every delete folds the
 *   remaining events first (lifecycle-statements.ts).
 */
export const rollupMaterializerMigration: Migration = {
  version: 9,
  name: 'append-only ingest; rollups folded by the materializer',
  sql: `
    CREATE TABLE rollup_watermark (
      id             INTEGER PRIMARY KEY CHECK (id = 1),
      folded_through INTEGER NOT NULL
    );
    INSERT INTO rollup_watermark (id, folded_through) VALUES (1, COALESCE((SELECT MAX(id) FROM events), 0));

    ${INSERT_TRIGGERS.map((name) => `DROP TRIGGER ${name};`).join('\n    ')}

    CREATE VIEW events_to_fold AS SELECT * FROM events;

    CREATE TRIGGER fold_response_rollups INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.event = ${RESPONSE}
    BEGIN
      ${addResponseSql('NEW')}
      ${addLatencySql('NEW')}
      ${VALUE_LISTS.map((list) => addValueSql(list, 'NEW')).join('\n      ')}
    END;

    CREATE TRIGGER fold_conversation_quarters INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.event = ${RESPONSE} AND NEW.conversation_id IS NOT NULL
    BEGIN
      ${CONVERSATION_QUARTERS_ON_INSERT}
    END;

    CREATE TRIGGER fold_rated_response INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.event = ${RESPONSE} AND NEW.response_id IS NOT NULL
    BEGIN
      ${RATED_RESPONSE_ON_INSERT}
    END;

    CREATE TRIGGER fold_prompt_rollups INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.event = ${PROMPT}
    BEGIN
      ${addPromptSql('NEW')}
    END;

    CREATE TRIGGER fold_intent_flows INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.event = ${PROMPT} AND NEW.conversation_id IS NOT NULL
    BEGIN
      ${CHAINS.map((chain) => flowsOnInsertSql(chain, FOLDED_BEFORE_NEW)).join('\n    ')}
    END;

    CREATE TRIGGER fold_feedback_turn_model INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.event = ${ACTION} AND NEW.feedback_type IS NOT NULL
    BEGIN
      UPDATE events SET turn_model = COALESCE(model, ${FEEDBACK_MODEL}) WHERE id = NEW.id;
    END;

    CREATE TRIGGER fold_sdk_event_rollup INSTEAD OF INSERT ON events_to_fold
    WHEN ${fromSdk('NEW')}
    BEGIN
      ${SDK_EVENT_ROLLUP_ON_INSERT}
    END;

    CREATE TRIGGER fold_first_touch INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.channel IS NOT NULL
    BEGIN
      ${FIRST_TOUCH_ON_INSERT}
    END;

    -- Migration 004's relabel trigger for folded events; the old key's first prompt is recomputed from its folded prompts.
    DROP TRIGGER events_rollups_relabel;
    CREATE TRIGGER events_rollups_relabel AFTER UPDATE OF user_key ON events
    WHEN OLD.user_key IS NOT NEW.user_key AND NEW.event IN (${PROMPT}, ${RESPONSE}) AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      INSERT INTO user_activity (quarter, user_key, debug, prompts)
        SELECT NEW.ts / ${QUARTER_MS}, NEW.user_key, NEW.debug, 1 WHERE NEW.event = ${PROMPT}
        ON CONFLICT (quarter, user_key, debug) DO UPDATE SET prompts = prompts + 1;
      UPDATE user_activity SET prompts = prompts - 1
       WHERE NEW.event = ${PROMPT} AND quarter = OLD.ts / ${QUARTER_MS} AND user_key = OLD.user_key AND debug = OLD.debug;
      DELETE FROM user_activity
       WHERE quarter = OLD.ts / ${QUARTER_MS} AND user_key = OLD.user_key AND debug = OLD.debug AND prompts <= 0;
      INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)
        SELECT NEW.user_key, CASE WHEN NEW.debug = 0 THEN NEW.ts END, NEW.ts WHERE NEW.event = ${PROMPT}
        ON CONFLICT (user_key) DO UPDATE SET
          first_ts = MIN(COALESCE(first_ts, excluded.first_ts), COALESCE(excluded.first_ts, first_ts)),
          first_any_ts = MIN(first_any_ts, excluded.first_any_ts);
      DELETE FROM user_first_activity WHERE NEW.event = ${PROMPT} AND user_key = OLD.user_key;
      INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)
        SELECT OLD.user_key, MIN(CASE WHEN debug = 0 THEN ts END), MIN(ts) FROM events INDEXED BY events_user_ts
         WHERE NEW.event = ${PROMPT} AND user_key = OLD.user_key AND event = ${PROMPT}${FOLDED_ONLY}
        HAVING COUNT(*) > 0;
      UPDATE session_rollup SET user_key = NEW.user_key
       WHERE session_id = NEW.session_id AND debug = NEW.debug AND user_key = OLD.user_key;
      UPDATE conversation_rollup SET user_key = NEW.user_key
       WHERE NEW.event = ${PROMPT} AND conversation_id = NEW.conversation_id AND debug = NEW.debug AND user_key = OLD.user_key;
    END;

    -- Migration 006's relabel trigger for folded events; the old key's touch is recomputed from its folded events.
    DROP TRIGGER events_first_touch_relabel;
    CREATE TRIGGER events_first_touch_relabel AFTER UPDATE OF user_key ON events
    WHEN OLD.user_key IS NOT NEW.user_key AND NEW.channel IS NOT NULL AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      INSERT INTO user_first_touch (user_key, ts, event_id, channel) VALUES (NEW.user_key, NEW.ts, NEW.id, NEW.channel)
        ON CONFLICT (user_key) DO UPDATE SET ts = excluded.ts, event_id = excluded.event_id, channel = excluded.channel
         WHERE (excluded.ts, excluded.event_id) < (user_first_touch.ts, user_first_touch.event_id);
      DELETE FROM user_first_touch WHERE user_key = OLD.user_key AND event_id = NEW.id;
      INSERT OR IGNORE INTO user_first_touch (user_key, ts, event_id, channel)
        SELECT user_key, ts, id, channel FROM events
         WHERE user_key = OLD.user_key AND channel IS NOT NULL${FOLDED_ONLY}
         ORDER BY ts, id LIMIT 1;
    END;

    -- Migrations 004 and 005's classification triggers, for folded events.
    DROP TRIGGER events_response_rollups_intent;
    CREATE TRIGGER events_response_rollups_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${RESPONSE} AND OLD.intent IS NOT NEW.intent AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${addResponseSql('NEW')}
      ${removeResponseSql('OLD')}
      ${addLatencySql('NEW')}
      ${removeLatencySql('OLD')}
    END;

    DROP TRIGGER events_stream_lists_intent;
    CREATE TRIGGER events_stream_lists_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${RESPONSE} AND OLD.intent IS NOT NEW.intent AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${VALUE_LISTS.map((list) => `${addValueSql(list, 'NEW')}\n      ${removeValueSql(list, 'OLD')}`).join('\n      ')}
    END;

    DROP TRIGGER events_prompt_rollups_intent;
    CREATE TRIGGER events_prompt_rollups_intent AFTER UPDATE OF intent, intent_sampled ON events
    WHEN NEW.event = ${PROMPT} AND (OLD.intent IS NOT NEW.intent OR OLD.intent_sampled IS NOT NEW.intent_sampled)
      AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${PROMPT_ROLLUPS_ON_INTENT_CHANGE}
    END;

    DROP TRIGGER events_intent_flows_intent;
    CREATE TRIGGER events_intent_flows_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${PROMPT} AND NEW.conversation_id IS NOT NULL AND OLD.intent IS NOT NEW.intent
      AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${CHAINS.map((chain) => flowsOnIntentChangeSql(chain, FOLDED_ONLY)).join('\n    ')}
    END;
  `,
};
