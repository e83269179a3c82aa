import type Database from 'better-sqlite3';
import { rebuildEventsTable, type EventsTableColumns } from './events-table-rebuild.js';
import type { ProgramMigration } from './migration.js';
import { codeColumn, vocabularyCodeSql, vocabularyValueSql } from './vocabularies.js';

const RESPONSE = 'ai_llm_response_received';
/** What ingest records for a response sent without a `response_status` (to-event-record.ts). */
export const DEFAULT_RESPONSE_STATUS = 'success';

/** The rebuilt table's stored columns: each one's definition and the value it takes from 032's table. */
const STORED_COLUMNS: EventsTableColumns['stored'] = [
  ['id INTEGER PRIMARY KEY', 'id'],
  ['write_key TEXT NOT NULL', 'write_key'],
  ['message_id TEXT NOT NULL', 'message_id'],
  [`${codeColumn('type')} NOT NULL`, vocabularyCodeSql('type', 'type')],
  ['event TEXT', 'event'],
  ['user_id TEXT', 'user_id'],
  ['anonymous_id TEXT', 'anonymous_id'],
  // userId when known, else the userId linked to anonymous_id by identify/alias, else anonymous_id
  ['user_key TEXT NOT NULL', 'user_key'],
  ['session_id TEXT', 'session_id'],
  ['conversation_id TEXT', 'conversation_id'],
  ['prompt_number INTEGER', 'prompt_number'],
  ['ts INTEGER NOT NULL', 'ts'],
  ['original_ts_offset INTEGER', 'original_ts_offset'],
  ['sent_at_offset INTEGER', 'sent_at_offset'],
  ['received_at_offset INTEGER NOT NULL', 'received_at_offset'],
  ['latency_ms REAL', 'latency_ms'],
  ['prompt_tokens INTEGER', 'prompt_tokens'],
  ['completion_tokens INTEGER', 'completion_tokens'],
  ['total_tokens INTEGER', 'total_tokens'],
  ['cost REAL', 'cost'],
  ['model TEXT', 'model'],
  // NULL for a response whose status the collector defaulted (no `response_status` property).
  [codeColumn('status'), `CASE WHEN event = '${RESPONSE}' AND status = '${DEFAULT_RESPONSE_STATUS}'
     AND json_valid(properties) AND json_type(properties, '$.response_status') IS NULL THEN NULL
     ELSE ${vocabularyCodeSql('status', 'status')} END`],
  ['error_type TEXT', 'error_type'],
  ['intent TEXT', 'intent'],
  ['intent_sampled INTEGER', 'intent_sampled'],
  ['action_type TEXT', 'action_type'],
  ['feedback_type TEXT', 'feedback_type'],
  ['feedback_value TEXT', 'feedback_value'],
  ['rating REAL', 'rating'],
  ['thumbs_up INTEGER', 'thumbs_up'],
  ['debug INTEGER NOT NULL DEFAULT 0', 'debug'],
  [`properties TEXT NOT NULL DEFAULT '{}'`, 'properties'],
  [`context TEXT NOT NULL DEFAULT '{}'`, 'context'],
  ['traits TEXT', 'traits'],
  ['extra TEXT', 'extra'],
  ['turn_model TEXT', 'turn_model'],
  ['time_to_first_token_ms REAL', 'time_to_first_token_ms'],
  ['tokens_per_second REAL', 'tokens_per_second'],
  ['response_id TEXT', 'response_id'],
  ['regenerated_from TEXT', 'regenerated_from'],
  ['channel TEXT', 'channel'],
  ['context_id INTEGER', 'context_id'],
  // Rows stored before keep these properties in their JSON.
  ['prompt_length INTEGER', 'NULL'],
  ['response_length INTEGER', 'NULL'],
  [codeColumn('input_method'), 'NULL'],
];

/**
 * Computed on every read, never stored. Only columns no index holds or
 * filters on: a query reading a VIRTUAL column cannot be answered from an
 * index alone, even when the index holds the column or its partial WHERE
 * names it (`EXPLAIN QUERY PLAN`: `events_user_ts` and every partial index
 * on `event` stopped being covering when `event` and `user_key` were tried
 * as VIRTUAL columns; bench/README.md).
 */
const READ_COLUMNS = [
  `type TEXT NOT NULL GENERATED ALWAYS AS (${vocabularyValueSql('type')}) VIRTUAL`,
  `status TEXT GENERATED ALWAYS AS (COALESCE(${vocabularyValueSql('status')},
     CASE WHEN event = '${RESPONSE}' THEN '${DEFAULT_RESPONSE_STATUS}' END)) VIRTUAL`,
  `input_method TEXT GENERATED ALWAYS AS (${vocabularyValueSql('input_method')}) VIRTUAL`,
];

/** The events table as this migration leaves it (migration 035 rebuilds it from these). */
export const EVENTS_TABLE_033: EventsTableColumns = { stored: STORED_COLUMNS, generated: READ_COLUMNS };

/**
 * Two columns of every event stop storing names, and three properties of
 * the SDK's own get columns. In 032's table `type` and `status` took about
 * 10 bytes of a 244-byte row at 10M events, and the properties JSON of a
 * prompt or response about 45, most of it property names:
 *
 * - `type` and `status` repeat a few names ('track', 'success'…). Each now
 *   stores a vocabulary code (`…_code`, vocabularies.ts), or the text
 *   itself for a value outside the vocabulary.
 * - A response's `status` is stored only when its `response_status` was
 *   sent; `status` reads the default ('success') for a response without one,
 *   so the property can leave the JSON whenever it was sent
 *   (lean-event-json.ts).
 * - `prompt_length`, `response_length` and `input_method` (a vocabulary
 *   column) hold those properties when the column can hold them exactly;
 *   the JSON then leaves them out and the readers of whole rows put them
 *   back. Rows stored before keep them in their JSON.
 *
 * `type`, `status` and `input_method` are VIRTUAL generated columns, so
 * every statement reads them unchanged; the writer writes the stored ones
 * (vocabulary-codes.ts). `event`, `intent` and `user_key` stay stored
 * (READ_COLUMNS says why; migration 035 codes `event` with the statements
 * that filter on it rewritten to read the code).
 *
 * SQLite cannot turn a stored column into a generated one, so the table is
 * rebuilt with its indexes, views and triggers (events-table-rebuild.ts).
 */
export const vocabularyColumnsMigration: ProgramMigration = {
  version: 33,
  name: 'type and status stored as vocabulary codes; SDK properties in columns',
  apply(db: Database.Database): void {
    rebuildEventsTable(db, EVENTS_TABLE_033);
  },
};
