import type { SqlMigration } from './migration.js';

/**
 * Drops the indexes of the per-session and per-conversation rollups by user
 * (migration 003), 6 bytes per event in a 1M bench file: nothing reads
 * either table by user any more. Every statement and trigger that touches a
 * row finds it by its key (session or conversation, and traffic flags): the
 * fold's upserts, the relabel that gives a folded row its new user, and the
 * delete trigger that recomputes a row from the events it has left; erasure
 * reaches these rows only through that trigger. What reads the rows by time
 * uses the `…_first` indexes (quarter-lists.ts).
 */
export const unreadUserIndexesMigration: SqlMigration = {
  version: 37,
  name: 'per-session and per-conversation rollups no longer indexed by user',
  sql: `
    DROP INDEX session_rollup_user;
    DROP INDEX conversation_rollup_user;
  `,
};
