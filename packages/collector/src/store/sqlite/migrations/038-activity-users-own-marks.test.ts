import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { migrate } from '../migrate.js';
import { activityUsersOwnMarksMigration } from './038-activity-users-own-marks.js';
import { migrations } from './index.js';

const openBefore = databasesBefore();
type Db = ReturnType<typeof openBefore>;

const staleOf = (db: Db, table: string): number[] => db.prepare(`SELECT quarter FROM ${table} ORDER BY quarter`).pluck().all() as number[];

/** A database of every migration, 038 included. */
function openMigrated(): Db {
  const db = openBefore(activityUsersOwnMarksMigration);
  migrate(db, migrations);
  return db;
}

/** Activity rows inserted, then every mark cleared, as if their lists had just been written. */
function activeWithListsWritten(db: Db, rows: string): void {
  db.exec(`INSERT INTO user_activity (quarter, user_key, debug, prompts) VALUES ${rows}`);
  clearStale(db);
}

function clearStale(db: Db): void {
  db.exec('DELETE FROM activity_users_stale; DELETE FROM activity_steps_stale;');
}

/** A user active at quarter 100 whose lists are written, then back at quarter 105: the marks that return leaves. */
function markedByReturn(db: Db): { users: number[]; steps: number[] } {
  activeWithListsWritten(db, "(100, 'u', 0, 1)");
  db.exec("INSERT INTO user_activity (quarter, user_key, debug, prompts) VALUES (105, 'u', 0, 1)");
  expect(db.prepare("SELECT next_quarter FROM user_activity WHERE quarter = 100 AND user_key = 'u'").pluck().get()).toBe(105);
  return { users: staleOf(db, 'activity_users_stale'), steps: staleOf(db, 'activity_steps_stale') };
}

describe('migration 038: activity users lists marked only where their entries change', () => {
  it('no longer marks a returning user’s previous quarter for the users lists; the steps lists still mark it', () => {
    const before = openBefore(activityUsersOwnMarksMigration);
    expect(markedByReturn(before)).toEqual({ users: [100, 105], steps: [100, 105] });

    expect(markedByReturn(openMigrated())).toEqual({ users: [105], steps: [100, 105] });
  });

  it('still marks a row’s own quarter when its user changes, and the quarter after it', () => {
    const db = openMigrated();
    activeWithListsWritten(db, "(100, 'anon', 0, 1), (107, 'anon', 0, 1)");
    db.exec("UPDATE user_activity SET user_key = 'u' WHERE quarter = 100 AND user_key = 'anon'");
    expect(staleOf(db, 'activity_users_stale')).toEqual([100, 107]);
  });

  it('marks the quarter a user’s first-ness moves to when an earlier quarter appears', () => {
    const db = openMigrated();
    activeWithListsWritten(db, "(110, 'u', 0, 1)");
    // A late event: the user's first quarter is now 104, so 110 is no longer first.
    db.exec("INSERT INTO user_activity (quarter, user_key, debug, prompts) VALUES (104, 'u', 0, 1)");
    expect(staleOf(db, 'activity_users_stale')).toEqual([104, 110]);
  });
});
