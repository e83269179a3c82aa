import type { Migration } from './migration.js';

/**
 * Bot and internal traffic (ingest/traffic-class.ts) are kept per user so
 * that they stick: `users.traffic` holds the flags any of the user's events
 * showed (2 bot, 4 internal), and ingest ORs them into each new event's
 * `debug` column, which from now on holds all three flags (traffic-flags.ts).
 * Every rollup is keyed by that column already, so each keeps the kinds of
 * traffic apart with no new key. Events stored before carry 0 or 1 as
 * before: no user was flagged then.
 */
export const trafficFlagsMigration: Migration = {
  version: 7,
  name: 'bot and internal traffic flags per user',
  sql: `
    ALTER TABLE users ADD COLUMN traffic INTEGER NOT NULL DEFAULT 0;
  `,
};
