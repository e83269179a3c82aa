import {
  CHAINS,
  endOf,
  flowSql,
  neighbourSql,
  removeLatencySql,
  removeResponseSql,
  type PromptChain,
} from './004-event-rollups.js';
import { FEEDBACK_MODEL, fromSdk, removeValueSql, TOKEN_RATE_LIST, TTFT_LIST } from './005-streaming-response-ids-delivery.js';
import type { Migration } from './migration.js';

const PROMPT = `'ai_user_prompt_created'`;
const RESPONSE = `'ai_llm_response_received'`;
const ACTION = `'ai_user_action'`;
/** A UTC quarter-hour, as in migrations 003–006. */
const QUARTER_MS = 900_000;
const key = (expression: string): string => `COALESCE(${expression}, '')`;

// ------------------------------------------------------------ intent flows

/** Removing prompt OLD joins its neighbours: previous → OLD → next becomes previous → next (the inverse of an insert). */
function flowsOnDeleteSql(chain: PromptChain): string {
  const member = chain.withDebug === 0 ? 'OLD.debug = 0 AND ' : '';
  const previous = `p.id = ${neighbourSql(chain, 'OLD', 'previous')}`;
  const next = `n.id = ${neighbourSql(chain, 'OLD', 'next')}`;
  const self = endOf('OLD');
  return [
    flowSql(chain, -1, { from: endOf('p'), to: self }, 'FROM events p', `${member}${previous}`),
    flowSql(chain, -1, { from: self, to: endOf('n') }, 'FROM events n', `${member}${next}`),
    flowSql(chain, 1, { from: endOf('p'), to: endOf('n') }, 'FROM events n CROSS JOIN events p', `${member}${next} AND ${previous}`),
  ].join('\n    ');
}

// ------------------------------------------------------------ conversations with responses: entry quarters

/** Migration 004's two chains of a conversation's response quarters, seen from a deleted conversation_response_quarters row. */
interface ConversationChain {
  entries: string;
  columns: string;
  values: string;
  /** The chain's remaining rows of conversation_response_quarters. */
  member: string;
  /** True when OLD.quarter has left the chain (the model chain: always; any model: when no other model has a row there). */
  isGone: string;
}
const CONVERSATION_CHAINS: readonly ConversationChain[] = [
  {
    entries: 'conversation_model_entries',
    columns: ', model',
    values: ', OLD.model',
    member: 'conversation_id = OLD.conversation_id AND debug = OLD.debug AND model = OLD.model',
    isGone: '1',
  },
  {
    entries: 'conversation_entries',
    columns: '',
    values: '',
    member: 'conversation_id = OLD.conversation_id AND debug = OLD.debug',
    isGone: `NOT EXISTS (SELECT 1 FROM conversation_response_quarters
                         WHERE conversation_id = OLD.conversation_id AND debug = OLD.debug AND quarter = OLD.quarter)`,
  },
];

/**
 * A quarter leaves a chain: its own entry (after the previous quarter) goes,
 * and the next quarter, if any, now follows the previous one instead of it.
 */
function conversationEntriesOnDeleteSql(chain: ConversationChain): string {
  const previous = `COALESCE((SELECT MAX(quarter) FROM conversation_response_quarters WHERE ${chain.member} AND quarter < OLD.quarter), -1)`;
  const next = `(SELECT MIN(quarter) FROM conversation_response_quarters WHERE ${chain.member} AND quarter > OLD.quarter)`;
  const keyColumns = `(quarter, debug${chain.columns}, previous_quarter)`;
  const ownKey = chain.columns === '' ? '' : ' AND model = OLD.model';
  const ownEntry = `${chain.isGone} AND debug = OLD.debug${ownKey} AND quarter = OLD.quarter AND previous_quarter = ${previous}`;
  const nextEntry = `${chain.isGone} AND debug = OLD.debug${ownKey} AND quarter = ${next} AND previous_quarter = OLD.quarter`;
  return `UPDATE ${chain.entries} SET conversations = conversations - 1 WHERE ${ownEntry};
      DELETE FROM ${chain.entries} WHERE conversations <= 0 AND ${ownEntry};
      UPDATE ${chain.entries} SET conversations = conversations - 1 WHERE ${nextEntry};
      DELETE FROM ${chain.entries} WHERE conversations <= 0 AND ${nextEntry};
      INSERT INTO ${chain.entries} ${keyColumns.slice(0, -1)}, conversations)
        SELECT ${next}, OLD.debug${chain.values}, ${previous}, 1 WHERE ${chain.isGone} AND ${next} IS NOT NULL
        ON CONFLICT ${keyColumns} DO UPDATE SET conversations = conversations + 1;`;
}

// ------------------------------------------------------------ sessions and conversations (migration 003)

/**
 * After a message leaves a session or conversation row, the row's span and
 * user are those of the messages it still has: the first / last time is
 * recomputed only when the deleted one held it, and the user (the last
 * writer's, at ingest) becomes the latest remaining message's when the
 * deleted message was that user's — with one user per session, as sessions
 * are, that changes nothing. Each look-up walks an index in time order and
 * stops at the first message it keeps.
 */
interface MessageGroup {
  table: 'session_rollup' | 'conversation_rollup';
  idColumn: 'session_id' | 'conversation_id';
  /** An index on (idColumn, ts) holding the group's messages. */
  index: string;
  /** Which events are the group's messages, and whether the deleted one (OLD) is one. */
  messages: string;
  deletedIsMessage: string;
  /** Whether the table keeps the last message's time too. */
  hasLastTs: boolean;
}

function spanOnDeleteSql(group: MessageGroup): string {
  const { table, idColumn, index, messages } = group;
  const row = `${group.deletedIsMessage} AND ${idColumn} = OLD.${idColumn} AND debug = OLD.debug`;
  const remaining = `FROM events INDEXED BY ${index} WHERE ${idColumn} = OLD.${idColumn} AND debug = OLD.debug AND ${messages}`;
  const lastTs = group.hasLastTs
    ? `UPDATE ${table} SET last_ts = (SELECT ts ${remaining} ORDER BY ts DESC LIMIT 1) WHERE ${row} AND OLD.ts >= last_ts;`
    : '';
  return `UPDATE ${table} SET first_ts = (SELECT ts ${remaining} ORDER BY ts LIMIT 1) WHERE ${row} AND OLD.ts <= first_ts;
      ${lastTs}
      UPDATE ${table} SET user_key = (SELECT user_key ${remaining} ORDER BY ts DESC, id DESC LIMIT 1) WHERE ${row} AND user_key = OLD.user_key;`;
}

const SESSION_MESSAGES: MessageGroup = {
  table: 'session_rollup',
  idColumn: 'session_id',
  index: 'events_session',
  messages: `event IN (${PROMPT}, ${RESPONSE})`,
  deletedIsMessage: `OLD.event IN (${PROMPT}, ${RESPONSE})`,
  hasLastTs: true,
};
/** Conversations count their prompts only. */
const CONVERSATION_PROMPTS: MessageGroup = {
  table: 'conversation_rollup',
  idColumn: 'conversation_id',
  index: 'events_turn_intent',
  messages: `event = ${PROMPT}`,
  deletedIsMessage: `OLD.event = ${PROMPT}`,
  hasLastTs: false,
};

/**
 * The trigger taking a deleted prompt or response out of the user, session
 * and conversation rollups; `sessionSpanSql` recomputes the span and user of
 * the session row it leaves (spanOnDeleteSql here, migration 031 without the
 * per-event session index).
 */
export function rollupsDeleteTriggerSql(sessionSpanSql: string): string {
  return `CREATE TRIGGER events_rollups_delete AFTER DELETE ON events
    WHEN OLD.event IN (${PROMPT}, ${RESPONSE})
    BEGIN
      UPDATE user_activity SET prompts = prompts - 1
       WHERE OLD.event = ${PROMPT} AND quarter = OLD.ts / ${QUARTER_MS} AND user_key = OLD.user_key AND debug = OLD.debug;
      DELETE FROM user_activity
       WHERE quarter = OLD.ts / ${QUARTER_MS} AND user_key = OLD.user_key AND debug = OLD.debug AND prompts <= 0;
      -- the user's first prompt may just have gone: recompute it from the prompts they still have
      DELETE FROM user_first_activity
       WHERE OLD.event = ${PROMPT} AND user_key = OLD.user_key AND (OLD.ts <= first_any_ts OR (OLD.debug = 0 AND OLD.ts <= first_ts));
      INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)
        SELECT OLD.user_key,
               (SELECT ts FROM events INDEXED BY events_user_ts
                 WHERE user_key = OLD.user_key AND event = ${PROMPT} AND debug = 0 ORDER BY ts LIMIT 1),
               first.ts
          FROM (SELECT ts FROM events INDEXED BY events_user_ts
                 WHERE user_key = OLD.user_key AND event = ${PROMPT} ORDER BY ts LIMIT 1) AS first
         WHERE OLD.event = ${PROMPT} AND NOT EXISTS (SELECT 1 FROM user_first_activity WHERE user_key = OLD.user_key);

      UPDATE session_rollup
         SET user_messages = user_messages - (OLD.event = ${PROMPT}), bot_messages = bot_messages - (OLD.event = ${RESPONSE})
       WHERE session_id = OLD.session_id AND debug = OLD.debug;
      DELETE FROM session_rollup WHERE session_id = OLD.session_id AND debug = OLD.debug AND user_messages + bot_messages <= 0;
      ${sessionSpanSql}

      UPDATE conversation_rollup SET prompts = prompts - 1
       WHERE OLD.event = ${PROMPT} AND conversation_id = OLD.conversation_id AND debug = OLD.debug;
      DELETE FROM conversation_rollup
       WHERE OLD.event = ${PROMPT} AND conversation_id = OLD.conversation_id AND debug = OLD.debug AND prompts <= 0;
      ${spanOnDeleteSql(CONVERSATION_PROMPTS)}
    END;`;
}

/**
 * Deleting events (retention, erasure of a user) keeps every rollup equal
 * to what the events still stored give: AFTER DELETE triggers undo exactly
 * what the insert triggers of migrations 003–006 did for the deleted event. Counters
 * go down and rows that reach zero go; the first prompt of a user and the
 * first touch are recomputed from the events the user still has (as the
 * relabel triggers do); a prompt leaving an intent-flow chain joins its
 * neighbours; a quarter leaving a conversation's response chain is unlinked
 * from its entries; one occurrence of each value leaves the latency, TTFT
 * and speed lists; feedback whose model came from a deleted response takes
 * the model of what remains of its turn. Every row is keyed by the deleted
 * event's own `debug` value, whatever it is.
 *
 * A response or action keeps the intent it was stored with when its prompt
 * goes: that is the event's own column, not a rollup.
 *
 * `events_ts` lets retention find the oldest events without scanning the
 * table; building it reads every stored event once, at the first start after
 * the upgrade.
 */
export const eventDeletionMigration: Migration = {
  version: 8,
  name: 'rollups follow deleted events; events by time',
  sql: `
    CREATE INDEX events_ts ON events (ts);

    ${rollupsDeleteTriggerSql(spanOnDeleteSql(SESSION_MESSAGES))}

    CREATE TRIGGER events_response_rollups_delete AFTER DELETE ON events
    WHEN OLD.event = ${RESPONSE}
    BEGIN
      ${removeResponseSql('OLD')}
      ${removeLatencySql('OLD')}
      ${removeValueSql(TTFT_LIST, 'OLD')}
      ${removeValueSql(TOKEN_RATE_LIST, 'OLD')}
    END;

    CREATE TRIGGER events_conversation_quarters_delete AFTER DELETE ON events
    WHEN OLD.event = ${RESPONSE} AND OLD.conversation_id IS NOT NULL
    BEGIN
      UPDATE conversation_response_quarters SET responses = responses - 1
       WHERE conversation_id = OLD.conversation_id AND debug = OLD.debug AND model = ${key('OLD.model')} AND quarter = OLD.ts / ${QUARTER_MS};
      DELETE FROM conversation_response_quarters
       WHERE conversation_id = OLD.conversation_id AND debug = OLD.debug AND model = ${key('OLD.model')} AND quarter = OLD.ts / ${QUARTER_MS}
         AND responses <= 0;
      -- feedback of this turn that took its model from it takes the model of what remains of the turn
      UPDATE events SET turn_model = ${FEEDBACK_MODEL}
       WHERE event = ${ACTION} AND feedback_type IS NOT NULL AND model IS NULL
         AND conversation_id = OLD.conversation_id AND OLD.model IS NOT NULL
         AND (prompt_number = OLD.prompt_number OR (prompt_number IS NULL AND ts >= OLD.ts));
    END;

    CREATE TRIGGER conversation_response_quarters_entries_delete AFTER DELETE ON conversation_response_quarters
    BEGIN
      ${CONVERSATION_CHAINS.map(conversationEntriesOnDeleteSql).join('\n      ')}
    END;

    -- feedback naming this response by id falls back to its turn (or another stored response with that id)
    CREATE TRIGGER events_feedback_rated_response_delete AFTER DELETE ON events
    WHEN OLD.event = ${RESPONSE} AND OLD.response_id IS NOT NULL
    BEGIN
      UPDATE events SET turn_model = ${FEEDBACK_MODEL}
       WHERE event = ${ACTION} AND feedback_type IS NOT NULL AND model IS NULL AND response_id IS NOT NULL
         AND write_key = OLD.write_key AND response_id = OLD.response_id;
    END;

    CREATE TRIGGER events_prompt_rollups_delete AFTER DELETE ON events
    WHEN OLD.event = ${PROMPT}
    BEGIN
      UPDATE prompt_rollup
         SET prompts = prompts - 1, sampled = sampled - (OLD.intent_sampled IS 1), not_sampled = not_sampled - (OLD.intent_sampled IS 0)
       WHERE quarter = OLD.ts / ${QUARTER_MS} AND debug = OLD.debug AND intent = ${key('OLD.intent')};
      DELETE FROM prompt_rollup
       WHERE quarter = OLD.ts / ${QUARTER_MS} AND debug = OLD.debug AND intent = ${key('OLD.intent')} AND prompts <= 0;
    END;

    CREATE TRIGGER events_intent_flows_delete AFTER DELETE ON events
    WHEN OLD.event = ${PROMPT} AND OLD.conversation_id IS NOT NULL
    BEGIN
      ${CHAINS.map(flowsOnDeleteSql).join('\n    ')}
    END;

    CREATE TRIGGER events_sdk_event_rollup_delete AFTER DELETE ON events
    WHEN ${fromSdk('OLD')}
    BEGIN
      UPDATE sdk_event_rollup SET events = events - 1 WHERE quarter = OLD.ts / ${QUARTER_MS};
      DELETE FROM sdk_event_rollup WHERE quarter = OLD.ts / ${QUARTER_MS} AND events <= 0;
    END;

    -- the user's first touch may just have gone: the earliest touch they still have takes its place
    CREATE TRIGGER events_first_touch_delete AFTER DELETE ON events
    WHEN OLD.channel IS NOT NULL
    BEGIN
      DELETE FROM user_first_touch WHERE user_key = OLD.user_key AND event_id = OLD.id;
      INSERT OR IGNORE INTO user_first_touch (user_key, ts, event_id, channel)
        SELECT user_key, ts, id, channel FROM events INDEXED BY events_user_channel
         WHERE user_key = OLD.user_key AND channel IS NOT NULL
         ORDER BY ts, id LIMIT 1;
    END;
  `,
};
