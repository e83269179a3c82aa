import { ACTIVITY_USERS_SOURCE, listUpdateTriggerSql } from './014-quarter-lists.js';
import type { SqlMigration } from './migration.js';

/**
 * The activity users lists (migration 014) hold, per quarter, each active
 * user and whether it is the user's first active quarter. When a user comes
 * back, the fold links the previous active row to the new quarter
 * (`next_quarter`, migration 003), and the update trigger marked the previous
 * quarter stale too, although its entries (who, and whether first) stay as
 * they were: only the quarter the link points to can change its first-ness,
 * and that one is marked. Every return of a user made an old quarter's list be
 * written again; in a 2M-event build each quarter's list was written about 7.5
 * times, 64,688 rewrites in 3.6 s of a 56 s fold (2026-12-04). The trigger
 * now marks the row's own quarter only when its quarter, user or flags change
 * (a relabel, say), and the linked quarters as before. The activity steps
 * lists keep marking both: a step is the distance to the next quarter.
 */
export const activityUsersOwnMarksMigration: SqlMigration = {
  version: 38,
  name: 'activity users lists no longer marked stale when only a row’s link to the next quarter changes',
  sql: `
    DROP TRIGGER activity_users_update;
    ${listUpdateTriggerSql({ ...ACTIVITY_USERS_SOURCE, entryColumns: ['quarter', 'user_key', 'debug'] }, 'activity_users', 'activity_users_stale')}
  `,
};
