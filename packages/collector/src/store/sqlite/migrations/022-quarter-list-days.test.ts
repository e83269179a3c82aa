import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { DAY_MS } from '../../../metrics/local-day.js';
import { activityStepsWriter } from '../activity-steps.js';
import { activityUsersWriter } from '../activity-users.js';
import { migrate } from '../migrate.js';
import { activeUsers } from '../metrics/activity-queries.js';
import { retention } from '../metrics/retention-queries.js';
import { dayPackWriters } from '../quarter-list-days.js';
import { migrations } from './index.js';
import { quarterListDaysMigration } from './022-quarter-list-days.js';

/** Upgrading a database that has activity lists: their days are stale, then packed, and answers stay. */

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);
const DAY = Math.floor(T0 / DAY_MS);
const QUARTER_MS = 900_000;
const Q0 = T0 / QUARTER_MS;
const QUARTERS_PER_DAY = 96;

const databaseBefore = databasesBefore();

describe('migration 022 (quarter lists packed per UTC day)', () => {
  it('marks the days of existing lists and stale quarters stale, then answers from the packs as from the lists', () => {
    const db = databaseBefore(quarterListDaysMigration);
    const activity = db.prepare('INSERT INTO user_activity (quarter, user_key, debug, prompts, next_quarter) VALUES (?, ?, 0, 1, ?)');
    activity.run(Q0, 'ada', Q0 + 1);
    activity.run(Q0 + 1, 'ada', Q0 + QUARTERS_PER_DAY);
    activity.run(Q0 + 3, 'bob', Q0 + 2 * QUARTERS_PER_DAY);
    activity.run(Q0 + QUARTERS_PER_DAY, 'ada', null);
    activity.run(Q0 + 2 * QUARTERS_PER_DAY, 'bob', null);
    // Day DAY's lists written before the upgrade; the later days' quarters still stale.
    db.transaction(() => [activityStepsWriter(db), activityUsersWriter(db)].forEach((writer) => writer.refresh(3)))();

    migrate(db, migrations);

    for (const lists of ['conversation_lists', 'activity_steps', 'activity_users']) {
      const expected = lists === 'conversation_lists' ? [] : [DAY, DAY + 1, DAY + 2];
      expect(db.prepare(`SELECT day FROM ${lists}_days_stale ORDER BY day`).pluck().all(), lists).toEqual(expected);
    }
    // Every day stale: the answers of the quarter lists and the rollup, as before the upgrade.
    const scope = dayScope('UTC', DAY - 1, DAY + 3);
    const before = { active: activeUsers(db, scope), cohorts: retention(db, scope, 'first_seen', [1, 2]) };
    expect(before.active.filter((row) => row.day >= DAY && row.day <= DAY + 2).map((row) => row.dau)).toEqual([2, 1, 1]);
    expect(before.cohorts.find((cohort) => cohort.day === DAY)).toMatchObject({ size: 2, retained: new Map([[1, 1], [2, 1]]) });
    db.transaction(() => {
      for (const writer of [activityStepsWriter(db), activityUsersWriter(db), ...dayPackWriters(db)]) writer.refresh(10);
    })();
    // The latest day stays with its quarter lists.
    for (const lists of ['activity_steps', 'activity_users']) {
      expect(db.prepare(`SELECT day FROM ${lists}_days ORDER BY day`).pluck().all(), lists).toEqual([DAY, DAY + 1]);
      expect(db.prepare(`SELECT day FROM ${lists}_days_stale`).pluck().all(), lists).toEqual([DAY + 2]);
    }
    expect({ active: activeUsers(db, scope), cohorts: retention(db, scope, 'first_seen', [1, 2]) }).toEqual(before);
  });
});
