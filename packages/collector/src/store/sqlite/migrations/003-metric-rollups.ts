import type { Migration } from './migration.js';

const PROMPT = `'ai_user_prompt_created'`;
const RESPONSE = `'ai_llm_response_received'`;
const ACTION = `'ai_user_action'`;
/** A UTC quarter-hour: every IANA offset in use is a multiple of 15 minutes, so each quarter falls in exactly one local day and hour of any zone. */
const QUARTER_MS = 900_000;

/**
 * Rollups that keep the user-level metrics (active users, retention,
 * sessions, conversations) off the raw events table, plus covering indexes
 * for the per-event metrics. Triggers maintain the rollups inside the ingest
 * transaction, and re-key them when identify/alias relabels `user_key`, so no
 * write path can forget them. Existing events are backfilled.
 */
export const metricRollupsMigration: Migration = {
  version: 3,
  name: 'metric rollups and covering indexes',
  sql: `
    -- prompts per user per UTC quarter-hour; any time zone aggregates these into its own days and hours.
    -- next_quarter chains a user's rows (same debug flag) in time, so that "next active day" needs no
    -- window function over hundreds of thousands of rows (see activity-queries.ts).
    CREATE TABLE user_activity (
      quarter      INTEGER NOT NULL,
      user_key     TEXT    NOT NULL,
      debug        INTEGER NOT NULL,
      prompts      INTEGER NOT NULL,
      next_quarter INTEGER,
      PRIMARY KEY (quarter, user_key, debug)
    ) WITHOUT ROWID;
    CREATE INDEX user_activity_user ON user_activity (user_key, debug, quarter);

    -- first prompt of each user: first_ts ignores debug prompts, first_any_ts counts them
    CREATE TABLE user_first_activity (
      user_key     TEXT PRIMARY KEY,
      first_ts     INTEGER,
      first_any_ts INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX user_first_activity_ts ON user_first_activity (first_ts) WHERE first_ts IS NOT NULL;
    CREATE INDEX user_first_activity_any_ts ON user_first_activity (first_any_ts);

    -- one row per session (messages = prompts + responses) and debug flag
    CREATE TABLE session_rollup (
      session_id    TEXT    NOT NULL,
      debug         INTEGER NOT NULL,
      user_key      TEXT    NOT NULL,
      first_ts      INTEGER NOT NULL,
      last_ts       INTEGER NOT NULL,
      user_messages INTEGER NOT NULL,
      bot_messages  INTEGER NOT NULL,
      PRIMARY KEY (session_id, debug)
    ) WITHOUT ROWID;
    CREATE INDEX session_rollup_first ON session_rollup (first_ts, debug, last_ts, user_messages, bot_messages, user_key);
    CREATE INDEX session_rollup_user ON session_rollup (user_key);

    -- one row per conversation (counted from its prompts) and debug flag
    CREATE TABLE conversation_rollup (
      conversation_id TEXT    NOT NULL,
      debug           INTEGER NOT NULL,
      user_key        TEXT    NOT NULL,
      first_ts        INTEGER NOT NULL,
      prompts         INTEGER NOT NULL,
      PRIMARY KEY (conversation_id, debug)
    ) WITHOUT ROWID;
    CREATE INDEX conversation_rollup_first ON conversation_rollup (first_ts, debug, user_key, prompts);
    CREATE INDEX conversation_rollup_user ON conversation_rollup (user_key);

    -- covering indexes: per-event metrics read only the index, never the wide event rows
    CREATE INDEX events_response_metrics ON events
      (ts, debug, model, intent, status, latency_ms, cost, prompt_tokens, completion_tokens, total_tokens, conversation_id, user_key)
      WHERE event = ${RESPONSE};
    CREATE INDEX events_prompt_metrics ON events
      (ts, debug, intent, intent_sampled, conversation_id, prompt_number, user_key)
      WHERE event = ${PROMPT};
    CREATE INDEX events_feedback_metrics ON events
      (ts, debug, feedback_type, rating, thumbs_up, intent, model, conversation_id, prompt_number)
      WHERE event = ${ACTION} AND feedback_type IS NOT NULL;
    CREATE INDEX events_response_turn ON events (conversation_id, prompt_number, ts, model)
      WHERE event = ${RESPONSE} AND conversation_id IS NOT NULL;

    CREATE TRIGGER events_rollups_insert AFTER INSERT ON events
    WHEN NEW.event IN (${PROMPT}, ${RESPONSE})
    BEGIN
      INSERT INTO user_activity (quarter, user_key, debug, prompts)
        SELECT NEW.ts / ${QUARTER_MS}, NEW.user_key, NEW.debug, 1 WHERE NEW.event = ${PROMPT}
        ON CONFLICT (quarter, user_key, debug) DO UPDATE SET prompts = prompts + 1;
      INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)
        SELECT NEW.user_key, CASE WHEN NEW.debug = 0 THEN NEW.ts END, NEW.ts WHERE NEW.event = ${PROMPT}
        ON CONFLICT (user_key) DO UPDATE SET
          first_ts = MIN(COALESCE(first_ts, excluded.first_ts), COALESCE(excluded.first_ts, first_ts)),
          first_any_ts = MIN(first_any_ts, excluded.first_any_ts);
      INSERT INTO session_rollup (session_id, debug, user_key, first_ts, last_ts, user_messages, bot_messages)
        SELECT NEW.session_id, NEW.debug, NEW.user_key, NEW.ts, NEW.ts, NEW.event = ${PROMPT}, NEW.event = ${RESPONSE}
         WHERE NEW.session_id IS NOT NULL
        ON CONFLICT (session_id, debug) DO UPDATE SET
          user_key = excluded.user_key,
          first_ts = MIN(first_ts, excluded.first_ts),
          last_ts = MAX(last_ts, excluded.last_ts),
          user_messages = user_messages + excluded.user_messages,
          bot_messages = bot_messages + excluded.bot_messages;
      INSERT INTO conversation_rollup (conversation_id, debug, user_key, first_ts, prompts)
        SELECT NEW.conversation_id, NEW.debug, NEW.user_key, NEW.ts, 1
         WHERE NEW.event = ${PROMPT} AND NEW.conversation_id IS NOT NULL
        ON CONFLICT (conversation_id, debug) DO UPDATE SET
          user_key = excluded.user_key,
          first_ts = MIN(first_ts, excluded.first_ts),
          prompts = prompts + 1;
    END;

    -- identify/alias relabels earlier events: move their activity to the new key
    CREATE TRIGGER events_rollups_relabel AFTER UPDATE OF user_key ON events
    WHEN OLD.user_key IS NOT NEW.user_key AND NEW.event IN (${PROMPT}, ${RESPONSE})
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
      -- the old key's first prompt may just have moved: recompute it from what it still owns
      DELETE FROM user_first_activity WHERE NEW.event = ${PROMPT} AND user_key = OLD.user_key;
      INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)
        SELECT OLD.user_key, MIN(CASE WHEN debug = 0 THEN ts END), MIN(ts) FROM events
         WHERE NEW.event = ${PROMPT} AND user_key = OLD.user_key AND event = ${PROMPT}
        HAVING COUNT(*) > 0;
      UPDATE session_rollup SET user_key = NEW.user_key
       WHERE session_id = NEW.session_id AND debug = NEW.debug AND user_key = OLD.user_key;
      UPDATE conversation_rollup SET user_key = NEW.user_key
       WHERE NEW.event = ${PROMPT} AND conversation_id = NEW.conversation_id AND debug = NEW.debug AND user_key = OLD.user_key;
    END;

    INSERT INTO user_activity (quarter, user_key, debug, prompts, next_quarter)
      SELECT quarter, user_key, debug, prompts, LEAD(quarter) OVER (PARTITION BY user_key, debug ORDER BY quarter)
        FROM (SELECT ts / ${QUARTER_MS} AS quarter, user_key, debug, COUNT(*) AS prompts
                FROM events WHERE event = ${PROMPT} GROUP BY 1, 2, 3);
    INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)
      SELECT user_key, MIN(CASE WHEN debug = 0 THEN ts END), MIN(ts) FROM events WHERE event = ${PROMPT} GROUP BY user_key;
    INSERT INTO session_rollup (session_id, debug, user_key, first_ts, last_ts, user_messages, bot_messages)
      SELECT session_id, debug, MAX(user_key), MIN(ts), MAX(ts), SUM(event = ${PROMPT}), SUM(event = ${RESPONSE})
        FROM events WHERE event IN (${PROMPT}, ${RESPONSE}) AND session_id IS NOT NULL GROUP BY session_id, debug;
    INSERT INTO conversation_rollup (conversation_id, debug, user_key, first_ts, prompts)
      SELECT conversation_id, debug, MAX(user_key), MIN(ts), COUNT(*)
        FROM events WHERE event = ${PROMPT} AND conversation_id IS NOT NULL GROUP BY conversation_id, debug;

    -- keep next_quarter chains whole when a quarter row appears (ingest, relabel) or goes (relabel)
    CREATE TRIGGER user_activity_chain_insert AFTER INSERT ON user_activity
    BEGIN
      UPDATE user_activity SET next_quarter = (
          SELECT MIN(later.quarter) FROM user_activity later
           WHERE later.user_key = NEW.user_key AND later.debug = NEW.debug AND later.quarter > NEW.quarter)
       WHERE quarter = NEW.quarter AND user_key = NEW.user_key AND debug = NEW.debug;
      UPDATE user_activity SET next_quarter = NEW.quarter
       WHERE user_key = NEW.user_key AND debug = NEW.debug AND quarter = (
          SELECT MAX(earlier.quarter) FROM user_activity earlier
           WHERE earlier.user_key = NEW.user_key AND earlier.debug = NEW.debug AND earlier.quarter < NEW.quarter);
    END;
    CREATE TRIGGER user_activity_chain_delete AFTER DELETE ON user_activity
    BEGIN
      UPDATE user_activity SET next_quarter = (
          SELECT MIN(later.quarter) FROM user_activity later
           WHERE later.user_key = OLD.user_key AND later.debug = OLD.debug AND later.quarter > OLD.quarter)
       WHERE user_key = OLD.user_key AND debug = OLD.debug AND quarter = (
          SELECT MAX(earlier.quarter) FROM user_activity earlier
           WHERE earlier.user_key = OLD.user_key AND earlier.debug = OLD.debug AND earlier.quarter < OLD.quarter);
    END;
  `,
};
