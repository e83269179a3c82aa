import type { ProgramMigration } from './migration.js';
import { rebuildTable } from './table-rebuild.js';

/**
 * `user_conversation_quarters` keyed by conversation first: (conversation_id,
 * user_key, debug, quarter), and without its index (conversation_id,
 * user_key). Every statement on the table names either its whole key (the
 * fold's upsert, the relabel and delete triggers, the chain of a user's
 * quarters in a conversation: key and quarter range) or the conversation
 * alone (whether several users share it, migration 011, and the shared
 * conversations of cost by segment, SHARED_PAIRS_SQL), so the reordered key
 * serves them all and the index was a second copy of every row: 4.7 bytes
 * per event at 10M bench events (2026-12-04). The statements that named the
 * index read the key instead.
 */
export const conversationFirstQuartersMigration: ProgramMigration = {
  version: 45,
  name: "users' conversation quarters keyed by conversation first, without a second index",
  apply(db) {
    rebuildTable(db, 'user_conversation_quarters', {
      fill: (rebuilt) => `
        CREATE TABLE ${rebuilt} (
          user_key        TEXT    NOT NULL,
          conversation_id TEXT    NOT NULL,
          debug           INTEGER NOT NULL,
          quarter         INTEGER NOT NULL,
          responses       INTEGER NOT NULL,
          PRIMARY KEY (conversation_id, user_key, debug, quarter)
        ) WITHOUT ROWID;
        INSERT INTO ${rebuilt} (user_key, conversation_id, debug, quarter, responses)
          SELECT user_key, conversation_id, debug, quarter, responses FROM user_conversation_quarters;`,
      rewrite: withoutConversationIndex,
      droppedIndexes: ['user_conversation_quarters_conversation'],
    });
  },
};

/** A statement that named the dropped index, reading the table's key instead. */
function withoutConversationIndex(sql: string): string {
  return sql.replaceAll(' INDEXED BY user_conversation_quarters_conversation', '');
}
