import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import { CHATMETER_SDK_LIBRARY } from '../../../metrics/sdk-library.js';
import { TURN_RESPONSE_MODEL } from './004-event-rollups.js';
import type { Migration } from './migration.js';

const RESPONSE = `'ai_llm_response_received'`;
const ACTION = `'ai_user_action'`;
const HEALTH = `'${SDK_HEALTH_EVENT}'`;
/** A UTC quarter-hour, as in migrations 003 and 004. */
const QUARTER_MS = 900_000;
const key = (expression: string): string => `COALESCE(${expression}, '')`;

// ------------------------------------------------------------ value lists: every value, for exact percentiles

/**
 * A per-response measure kept like migration 004's `response_latencies`: every
 * value as comma-separated text per quarter, debug flag, model and intent.
 */
export interface ValueList {
  table: string;
  /** The list column of `table`. */
  list: string;
  /** The events column the values come from. */
  column: string;
}

export const TTFT_LIST: ValueList = { table: 'response_ttfts', list: 'ttfts', column: 'time_to_first_token_ms' };
export const TOKEN_RATE_LIST: ValueList = { table: 'response_token_rates', list: 'rates', column: 'tokens_per_second' };
export const VALUE_LISTS = [TTFT_LIST, TOKEN_RATE_LIST] as const;

/** A value as list text: integral values without ".0", anything else as SQLite writes a REAL (reads back to the same double). */
const valueText = (row: string, column: string): string =>
  `(CASE WHEN ${row}.${column} = CAST(${row}.${column} AS INTEGER) AND abs(${row}.${column}) < 1e15
      THEN CAST(CAST(${row}.${column} AS INTEGER) AS TEXT) ELSE CAST(${row}.${column} AS TEXT) END)`;
/** A list row takes values until it holds this many bytes, so that appending never rewrites a long row. */
const CHUNK_BYTES = 2000;
const LIST_KEY = (row: string): string =>
  `quarter = ${row}.ts / ${QUARTER_MS} AND debug = ${row}.debug AND model = ${key(`${row}.model`)} AND intent = ${key(`${row}.intent`)}`;

function createListTableSql({ table, list }: ValueList): string {
  return `CREATE TABLE ${table} (
      quarter INTEGER NOT NULL,
      debug   INTEGER NOT NULL,
      model   TEXT    NOT NULL, -- '' = none
      intent  TEXT    NOT NULL, -- '' = none
      chunk   INTEGER NOT NULL,
      ${list} TEXT    NOT NULL,
      PRIMARY KEY (quarter, debug, model, intent, chunk)
    ) WITHOUT ROWID;`;
}

export function addValueSql({ table, list, column }: ValueList, row: string): string {
  return `INSERT INTO ${table} (quarter, debug, model, intent, chunk, ${list})
      SELECT ${row}.ts / ${QUARTER_MS}, ${row}.debug, ${key(`${row}.model`)}, ${key(`${row}.intent`)},
             COALESCE((SELECT chunk + (length(${list}) >= ${CHUNK_BYTES}) FROM ${table}
                        WHERE ${LIST_KEY(row)} ORDER BY chunk DESC LIMIT 1), 0),
             ${valueText(row, column)}
       WHERE ${row}.${column} IS NOT NULL
      ON CONFLICT (quarter, debug, model, intent, chunk) DO UPDATE SET ${list} = ${list} || ',' || excluded.${list};`;
}

/** Takes one occurrence of the row's value out of its key's lists (a list is a multiset). */
export function removeValueSql({ table, list, column }: ValueList, row: string): string {
  const padded = `(',' || ${list} || ',')`;
  const token = `(',' || ${valueText(row, column)} || ',')`;
  return `UPDATE ${table}
         SET ${list} = trim(substr(${padded}, 1, instr(${padded}, ${token})) || substr(${padded}, instr(${padded}, ${token}) + length(${token})), ',')
       WHERE ${row}.${column} IS NOT NULL AND ${LIST_KEY(row)}
         AND chunk = (SELECT chunk FROM ${table} WHERE ${LIST_KEY(row)} AND instr(${padded}, ${token}) > 0 ORDER BY chunk LIMIT 1);
      DELETE FROM ${table} WHERE ${LIST_KEY(row)} AND ${list} = '';`;
}

function backfillListSql({ table, list, column }: ValueList): string {
  return `INSERT INTO ${table} (quarter, debug, model, intent, chunk, ${list})
      SELECT quarter, debug, model, intent, position / 300, group_concat(value, ',')
        FROM (SELECT ts / ${QUARTER_MS} AS quarter, debug, ${key('model')} AS model, ${key('intent')} AS intent,
                     ${valueText('events', column)} AS value,
                     ROW_NUMBER() OVER (PARTITION BY ts / ${QUARTER_MS}, debug, model, intent) - 1 AS position
                FROM events WHERE event = ${RESPONSE} AND ${column} IS NOT NULL)
       GROUP BY 1, 2, 3, 4, 5;`;
}

// ------------------------------------------------------------ feedback: the model of the rated response

/**
 * The model a feedback action (the updated `events` row) is about when it has
 * none of its own: that of the response it names by response_id when that
 * response is stored (same write key); else, as before, the model of its turn
 * (TURN_RESPONSE_MODEL of migration 004). A named response not stored yet
 * falls back to the turn until it arrives, and then takes over.
 */
export const FEEDBACK_MODEL = `CASE WHEN events.response_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM events r INDEXED BY events_response_id
         WHERE r.event = ${RESPONSE} AND r.write_key = events.write_key AND r.response_id = events.response_id)
    THEN (SELECT r.model FROM events r INDEXED BY events_response_id
           WHERE r.event = ${RESPONSE} AND r.write_key = events.write_key AND r.response_id = events.response_id
           ORDER BY r.ts DESC, r.id DESC LIMIT 1)
    ELSE ${TURN_RESPONSE_MODEL}
    END`;

// ------------------------------------------------------------ delivery: events the SDK's reports can be compared with

/** Events sent by the Chatmeter SDK (context.library.name), its own health reports excepted. */
export const fromSdk = (row: string): string =>
  `${row}.event IS NOT ${HEALTH} AND json_valid(${row}.context) AND json_extract(${row}.context, '$.library.name') = '${CHATMETER_SDK_LIBRARY}'`;

/**
 * Fill the new rollups and `turn_model` from the events already stored: run
 * once by the migration, and by tests checking that the triggers keep them
 * equal to what these statements compute.
 */
export const STREAMING_BACKFILLS: readonly string[] = [
  ...VALUE_LISTS.map(backfillListSql),
  `INSERT INTO sdk_event_rollup (quarter, events)
      SELECT ts / ${QUARTER_MS}, COUNT(*) FROM events WHERE ${fromSdk('events')} GROUP BY 1;`,
  `UPDATE events SET turn_model = COALESCE(model, ${FEEDBACK_MODEL})
     WHERE event = ${ACTION} AND feedback_type IS NOT NULL;`,
];

/** A response NEW with a conversation: its quarter in conversation_response_quarters; feedback of its turn waiting for a model gets it. */
export const CONVERSATION_QUARTERS_ON_INSERT = `INSERT INTO conversation_response_quarters (conversation_id, debug, model, quarter, responses)
        VALUES (NEW.conversation_id, NEW.debug, ${key('NEW.model')}, NEW.ts / ${QUARTER_MS}, 1)
        ON CONFLICT (conversation_id, debug, model, quarter) DO UPDATE SET responses = responses + 1;
      -- feedback that arrived before this response of its turn now gets its model
      -- (recomputed in full: feedback naming another, stored response keeps that one's model)
      UPDATE events SET turn_model = ${FEEDBACK_MODEL}
       WHERE event = ${ACTION} AND feedback_type IS NOT NULL AND model IS NULL
         AND conversation_id = NEW.conversation_id AND NEW.model IS NOT NULL
         AND (prompt_number = NEW.prompt_number OR (prompt_number IS NULL AND ts >= NEW.ts));`;

/** A response NEW with a response_id: feedback that named it before it arrived gets its model (even none). */
export const RATED_RESPONSE_ON_INSERT = `UPDATE events SET turn_model = ${FEEDBACK_MODEL}
       WHERE event = ${ACTION} AND feedback_type IS NOT NULL AND model IS NULL AND response_id IS NOT NULL
         AND write_key = NEW.write_key AND response_id = NEW.response_id;`;

/** An SDK event NEW counts in its quarter of sdk_event_rollup. */
export const SDK_EVENT_ROLLUP_ON_INSERT = `INSERT INTO sdk_event_rollup (quarter, events) VALUES (NEW.ts / ${QUARTER_MS}, 1)
        ON CONFLICT (quarter) DO UPDATE SET events = events + 1;`;

/**
 * Streaming measures, response ids and delivery health:
 *
 * - `time_to_first_token_ms`, `tokens_per_second`: new response columns, every
 *   value also kept in `response_ttfts` / `response_token_rates` lists (exact
 *   TTFT percentiles and median streaming speed, as `response_latencies`);
 * - `response_id` (responses and the actions rating them), `regenerated_from`;
 *   feedback's `turn_model` now follows the rated response when the action
 *   names one, whichever of the two arrives first;
 * - `sdk_event_rollup`: events stored from the Chatmeter SDK per UTC quarter,
 *   compared with what its `chatmeter_sdk_health` reports say it sent.
 */
export const streamingMigration: Migration = {
  version: 5,
  name: 'time to first token, response ids, SDK delivery',
  sql: `
    ALTER TABLE events ADD COLUMN time_to_first_token_ms REAL;
    ALTER TABLE events ADD COLUMN tokens_per_second REAL;
    ALTER TABLE events ADD COLUMN response_id TEXT;
    ALTER TABLE events ADD COLUMN regenerated_from TEXT;
    -- a response by its id (per write key: ids are only unique within one product)
    CREATE INDEX events_response_id ON events (write_key, response_id, ts)
      WHERE event = ${RESPONSE} AND response_id IS NOT NULL;
    -- feedback waiting for the response it names
    CREATE INDEX events_feedback_response ON events (write_key, response_id)
      WHERE event = ${ACTION} AND feedback_type IS NOT NULL AND model IS NULL AND response_id IS NOT NULL;
    -- delivery health reports, read per range (few: one per page and session)
    CREATE INDEX events_sdk_health ON events (ts) WHERE event = ${HEALTH};

    ${VALUE_LISTS.map(createListTableSql).join('\n    ')}

    CREATE TABLE sdk_event_rollup (
      quarter INTEGER PRIMARY KEY,
      events  INTEGER NOT NULL
    ) WITHOUT ROWID;

    ${STREAMING_BACKFILLS.join('\n    ')}

    CREATE TRIGGER events_stream_lists_insert AFTER INSERT ON events
    WHEN NEW.event = ${RESPONSE}
    BEGIN
      ${VALUE_LISTS.map((list) => addValueSql(list, 'NEW')).join('\n      ')}
    END;

    -- the classification worker sets a turn's intent after the response arrived
    CREATE TRIGGER events_stream_lists_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${RESPONSE} AND OLD.intent IS NOT NEW.intent
    BEGIN
      ${VALUE_LISTS.map((list) => `${addValueSql(list, 'NEW')}\n      ${removeValueSql(list, 'OLD')}`).join('\n      ')}
    END;

    CREATE TRIGGER events_sdk_event_rollup AFTER INSERT ON events
    WHEN ${fromSdk('NEW')}
    BEGIN
      ${SDK_EVENT_ROLLUP_ON_INSERT}
    END;

    -- Migration 004's triggers, with the rated response taking precedence over the turn.
    DROP TRIGGER events_feedback_turn_model;
    CREATE TRIGGER events_feedback_turn_model AFTER INSERT ON events
    WHEN NEW.event = ${ACTION} AND NEW.feedback_type IS NOT NULL
    BEGIN
      UPDATE events SET turn_model = COALESCE(model, ${FEEDBACK_MODEL}) WHERE id = NEW.id;
    END;

    DROP TRIGGER events_conversation_quarters_insert;
    CREATE TRIGGER events_conversation_quarters_insert AFTER INSERT ON events
    WHEN NEW.event = ${RESPONSE} AND NEW.conversation_id IS NOT NULL
    BEGIN
      ${CONVERSATION_QUARTERS_ON_INSERT}
    END;

    -- feedback that named this response before it arrived now gets its model (even none)
    CREATE TRIGGER events_feedback_rated_response AFTER INSERT ON events
    WHEN NEW.event = ${RESPONSE} AND NEW.response_id IS NOT NULL
    BEGIN
      ${RATED_RESPONSE_ON_INSERT}
    END;
  `,
};
