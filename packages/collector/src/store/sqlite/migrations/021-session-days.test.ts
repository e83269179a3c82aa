import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { DAY_MS } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { migrate } from '../migrate.js';
import { sessionTotalsFromLists, sessionTotalsFromRollup } from '../metrics/session-queries.js';
import { quarterListWriter, SESSION_LISTS } from '../quarter-lists.js';
import { sessionDayWriter } from '../session-days.js';
import { migrations } from './index.js';
import { sessionDaysMigration } from './021-session-days.js';

/** Upgrading a database that has session lists: every day holding sessions is stale, then summarized, and answers stay. */

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);
const DAY = Math.floor(T0 / DAY_MS);
const MINUTE_MS = 60_000;

const databaseBefore = databasesBefore();

function scopeOf(startMs: number, endMs: number): MetricScope {
  return {
    fromDay: 0, toDay: 0, startMs, endMs, calendar: new ZoneCalendar('UTC', startMs - DAY_MS, endMs + DAY_MS),
    includeDebug: false, includeBots: false, includeInternal: false, filters: {},
  };
}

describe('migration 021 (session summaries per UTC day)', () => {
  it('marks the days of existing session lists and stale quarters stale, then answers from the summaries as from the rollup', () => {
    const db = databaseBefore(sessionDaysMigration);
    const session = db.prepare(
      `INSERT INTO session_rollup (session_id, debug, user_key, first_ts, last_ts, user_messages, bot_messages) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    session.run('s-1', 0, 'ada', T0, T0 + MINUTE_MS, 1, 1);
    session.run('s-2', 0, 'bob', T0 + 20 * MINUTE_MS, T0 + 20 * MINUTE_MS, 1, 0);
    session.run('s-3', 1, 'cy', T0 + DAY_MS, T0 + DAY_MS + 30 * MINUTE_MS, 2, 2);
    session.run('s-4', 0, 'ada', T0 + 2 * DAY_MS, T0 + 2 * DAY_MS + 9 * MINUTE_MS, 3, 2);
    // Day DAY's lists written before the upgrade; day DAY + 2 still stale.
    db.transaction(() => quarterListWriter(db, SESSION_LISTS).refresh(2))();
    expect(db.prepare('SELECT COUNT(*) FROM session_lists').pluck().get()).toBe(2);
    const range = [DAY * DAY_MS, (DAY + 3) * DAY_MS] as const;
    const before = sessionTotalsFromRollup(db, scopeOf(...range));

    migrate(db, migrations);

    expect(db.prepare('SELECT day FROM session_days_stale ORDER BY day').pluck().all()).toEqual([DAY, DAY + 2]);
    expect(sessionTotalsFromLists(db, ...range)).toEqual(before);
    db.transaction(() => {
      quarterListWriter(db, SESSION_LISTS).refresh(10);
      sessionDayWriter(db).refresh(10);
    })();
    // The latest day stays with its quarter lists.
    expect(db.prepare('SELECT day FROM session_days').pluck().all()).toEqual([DAY]);
    expect(db.prepare('SELECT day FROM session_days_stale').pluck().all()).toEqual([DAY + 2]);
    expect(before).toMatchObject({ sessions: 3, users: 2, messages: 8, totalDurationMs: 10 * MINUTE_MS });
    expect(sessionTotalsFromLists(db, ...range)).toEqual(before);
  });
});
