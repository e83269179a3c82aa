import type { SqlMigration } from './migration.js';

/**
 * Replaces `events_conversation` (migration 001: every event with a
 * conversation, 19.5 bytes per event in a 1M-event bench file) with an index
 * over the one kind of turn event that no other index finds by its turn:
 * user actions.
 *
 * Every other reader of a conversation's events names the event it wants,
 * and each of those has its own index by conversation: prompts
 * `events_turn_intent`, responses `events_response_turn`, feedback without a
 * model `events_feedback_turn`. What read `events_conversation` across kinds
 * was the turn-intent propagation of a classified prompt (a turn's responses
 * and actions that still lack an intent), which now reads the responses and
 * the actions of the turn through their own indexes
 * (classification-statements.ts).
 */
export const actionTurnIndexMigration: SqlMigration = {
  version: 34,
  name: 'user actions indexed by turn in place of every event by conversation',
  sql: `
    CREATE INDEX events_action_turn ON events (conversation_id, prompt_number)
      WHERE event = 'ai_user_action' AND conversation_id IS NOT NULL;
    DROP INDEX events_conversation;
  `,
};
