import type { Migration } from './migration.js';

/**
 * Events with typed columns for everything metrics filter or aggregate on;
 * the rest stays as JSON. Times are epoch milliseconds (INTEGER) so that
 * range scans are index-friendly and time-zone arithmetic happens at query time.
 */
export const eventsMigration: Migration = {
  version: 1,
  name: 'events, identities, users, settings, intent queue',
  sql: `
    CREATE TABLE events (
      id                INTEGER PRIMARY KEY,
      write_key         TEXT    NOT NULL,
      message_id        TEXT    NOT NULL,
      type              TEXT    NOT NULL,
      event             TEXT,
      user_id           TEXT,
      anonymous_id      TEXT,
      -- userId when known, else the userId linked to anonymous_id by identify/alias, else anonymous_id
      user_key          TEXT    NOT NULL,
      session_id        TEXT,
      conversation_id   TEXT,
      prompt_number     INTEGER,
      ts                INTEGER NOT NULL,
      original_ts       INTEGER,
      sent_at           INTEGER,
      received_at       INTEGER NOT NULL,
      latency_ms        REAL,
      prompt_tokens     INTEGER,
      completion_tokens INTEGER,
      total_tokens      INTEGER,
      cost              REAL,
      model             TEXT,
      status            TEXT,
      error_type        TEXT,
      intent            TEXT,
      intent_sampled    INTEGER,
      action_type       TEXT,
      feedback_type     TEXT,
      feedback_value    TEXT,
      rating            REAL,
      thumbs_up         INTEGER,
      debug             INTEGER NOT NULL DEFAULT 0,
      properties        TEXT    NOT NULL DEFAULT '{}',
      context           TEXT    NOT NULL DEFAULT '{}',
      traits            TEXT,
      extra             TEXT,
      UNIQUE (write_key, message_id)
    );
    CREATE INDEX events_event_ts ON events (event, ts);
    CREATE INDEX events_user_ts ON events (user_key, ts);
    CREATE INDEX events_anonymous ON events (anonymous_id) WHERE anonymous_id IS NOT NULL;
    CREATE INDEX events_session ON events (session_id, ts) WHERE session_id IS NOT NULL;
    CREATE INDEX events_conversation ON events (conversation_id, prompt_number) WHERE conversation_id IS NOT NULL;

    -- anonymousId → userId links made by identify (and alias previousId → userId)
    CREATE TABLE identities (
      anonymous_id TEXT PRIMARY KEY,
      user_id      TEXT NOT NULL,
      linked_at    INTEGER NOT NULL
    );

    -- latest traits per user (identify traits merged), first time seen
    CREATE TABLE users (
      user_key      TEXT PRIMARY KEY,
      traits        TEXT NOT NULL DEFAULT '{}',
      first_seen_ts INTEGER NOT NULL,
      last_seen_ts  INTEGER NOT NULL
    );

    CREATE TABLE settings (
      name  TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    -- prompt texts waiting for background classification; a row is deleted
    -- as soon as its prompt is classified (secure_delete wipes the bytes)
    CREATE TABLE intent_queue (
      event_id    INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
      prompt_text TEXT    NOT NULL,
      enqueued_at INTEGER NOT NULL,
      attempts    INTEGER NOT NULL DEFAULT 0
    );
  `,
};
