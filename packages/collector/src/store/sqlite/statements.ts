import type Database from 'better-sqlite3';
import { FEEDBACK_MODEL } from './migrations/005-streaming-response-ids-delivery.js';
import { eventComparisonsFor } from './vocabulary-codes.js';

/** Statements prepared once per connection (better-sqlite3 performance guide). */
export interface Statements {
  insertEvent: Database.Statement;
  feedbackTurnModel: Database.Statement;
  findLink: Database.Statement;
  upsertLink: Database.Statement;
  relabelEvents: Database.Statement;
  mergeUser: Database.Statement;
  userTraffic: Database.Statement;
  upsertUser: Database.Statement;
  enqueuePrompt: Database.Statement;
  getSetting: Database.Statement;
  anyEvent: Database.Statement;
  setSetting: Database.Statement;
}

/**
 * The columns an ingested event is inserted with, in the order insertEvent
 * binds them: the stored ones (migration 033 computes `type`, `status` and
 * `input_method` from theirs, migration 035 `event`, migration 036 `intent`
 * and `user_id`).
 */
export const EVENT_COLUMNS = [
  'write_key', 'message_id', 'type_code', 'event_code', 'user_id_stored', 'anonymous_id', 'user_key', 'session_id',
  'conversation_id', 'prompt_number', 'ts', 'original_ts_offset', 'sent_at_offset', 'received_at_offset', 'latency_ms',
  'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost', 'model', 'status_code', 'error_type', 'intent_code',
  'intent_sampled', 'action_type', 'feedback_type', 'feedback_value', 'rating', 'thumbs_up', 'debug',
  'properties', 'context', 'traits', 'extra', 'time_to_first_token_ms', 'tokens_per_second', 'response_id',
  'regenerated_from', 'channel', 'context_id', 'prompt_length', 'response_length', 'input_method_code', 'turn_model',
] as const;

/** An inserted event's values by column. */
export type EventRow = Record<(typeof EVENT_COLUMNS)[number], unknown>;

export function prepareStatements(db: Database.Database): Statements {
  return {
    // DO NOTHING on a known messageId: a retried batch stores nothing twice.
    // Positional parameters: the values come in EVENT_COLUMNS order (event-writer.ts).
    insertEvent: db.prepare(
      `INSERT INTO events (${EVENT_COLUMNS.join(', ')})
       VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (write_key, message_id) DO NOTHING`,
    ),
    // The model feedback counts under (its own, else its response's or its turn's), as the fold's
    // fold_feedback_turn_model computes it (migration 009), for a row not stored yet: `events` names the values
    // about to be inserted, while `FROM events r` in FEEDBACK_MODEL is the table.
    feedbackTurnModel: db
      .prepare(
        eventComparisonsFor(db)(`SELECT COALESCE(events.model, ${FEEDBACK_MODEL})
           FROM (SELECT @model AS model, @writeKey AS write_key, @responseId AS response_id,
                        @conversationId AS conversation_id, @promptNumber AS prompt_number, @ts AS ts) AS events`),
      )
      .pluck(),
    findLink: db.prepare('SELECT user_id FROM identities WHERE anonymous_id = ?'),
    upsertLink: db.prepare(
      `INSERT INTO identities (anonymous_id, user_id, linked_at) VALUES (?, ?, ?)
       ON CONFLICT (anonymous_id) DO UPDATE SET user_id = excluded.user_id, linked_at = excluded.linked_at`,
    ),
    // A user id stored as "the user key" (migration 036) is written out: SET reads `user_id` of the row before the update.
    relabelEvents: db.prepare(
      `UPDATE events SET user_key = @to, user_id_stored = user_id
        WHERE user_key = @from AND (anonymous_id = @from OR user_id = @from)`,
    ),
    // The merged user keeps the earliest first-seen of both identities, and the traffic flags of both.
    mergeUser: db.prepare(
      `INSERT INTO users (user_key, traits, first_seen_ts, last_seen_ts, traffic)
       SELECT @to, traits, first_seen_ts, last_seen_ts, traffic FROM users WHERE user_key = @from
       ON CONFLICT (user_key) DO UPDATE SET
         traffic = traffic | excluded.traffic,
         first_seen_ts = MIN(first_seen_ts, excluded.first_seen_ts),
         last_seen_ts = MAX(last_seen_ts, excluded.last_seen_ts)`,
    ),
    userTraffic: db.prepare('SELECT traffic FROM users WHERE user_key = ?').pluck(),
    upsertUser: db.prepare(
      `INSERT INTO users (user_key, traits, first_seen_ts, last_seen_ts, traffic)
       VALUES (@user_key, COALESCE(@traits, '{}'), @first_ts, @last_ts, @traffic)
       ON CONFLICT (user_key) DO UPDATE SET
         traffic = traffic | @traffic,
         -- Traits SQLite cannot read (stored before ingest capped nesting depth) are replaced, not patched.
         traits = CASE WHEN @traits IS NULL THEN traits WHEN json_valid(traits) THEN json_patch(traits, @traits) ELSE @traits END,
         first_seen_ts = MIN(first_seen_ts, @first_ts),
         last_seen_ts = MAX(last_seen_ts, @last_ts)`,
    ),
    enqueuePrompt: db.prepare('INSERT INTO intent_queue (event_id, prompt_text, enqueued_at) VALUES (?, ?, ?)'),
    getSetting: db.prepare('SELECT value FROM settings WHERE name = ?'),
    anyEvent: db.prepare('SELECT 1 FROM events LIMIT 1'),
    setSetting: db.prepare(
      'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
  };
}
