import type { Migration } from './migration.js';

/**
 * What background classification costs: one row per UTC day and classifier,
 * so an LLM classifier's tokens and spend show up next to the product's own.
 */
export const classificationMigration: Migration = {
  version: 2,
  name: 'classification usage',
  sql: `
    CREATE TABLE classification_usage (
      day               TEXT    NOT NULL,
      classifier        TEXT    NOT NULL,
      prompts           INTEGER NOT NULL DEFAULT 0,
      cached            INTEGER NOT NULL DEFAULT 0,
      errors            INTEGER NOT NULL DEFAULT 0,
      not_sampled       INTEGER NOT NULL DEFAULT 0,
      prompt_tokens     INTEGER NOT NULL DEFAULT 0,
      completion_tokens INTEGER NOT NULL DEFAULT 0,
      cost              REAL    NOT NULL DEFAULT 0,
      PRIMARY KEY (day, classifier)
    );
    CREATE INDEX events_turn_intent ON events (conversation_id, ts) WHERE event = 'ai_user_prompt_created';
  `,
};
