import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { migrate } from '../migrate.js';
import { conversationTotals, conversationTotalsFromRollup } from '../metrics/conversation-queries.js';
import { sessionTotalsFromLists, sessionTotalsFromRollup } from '../metrics/session-queries.js';
import { CONVERSATION_LISTS, quarterListWriter, SESSION_LISTS } from '../quarter-lists.js';
import { migrations } from './index.js';

/** Upgrading a database created under migration 013: every quarter holding a session or conversation is stale, and answers stay. */

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);
const QUARTER_MS = 900_000;
const HOUR_MS = 3_600_000;

const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

function scopeOf(startMs: number, endMs: number): MetricScope {
  return {
    fromDay: 0, toDay: 0, startMs, endMs, calendar: new ZoneCalendar('UTC', startMs - 86_400_000, endMs + 86_400_000),
    includeDebug: false, includeBots: false, includeInternal: false, filters: {},
  };
}

describe('migration 014 (quarter lists)', () => {
  it('marks the quarters of existing sessions and conversations stale, then answers from their lists as from the rollups', () => {
    const db = new Database(':memory:');
    databases.push(db);
    migrate(db, migrations.slice(0, 13));
    const session = db.prepare(
      `INSERT INTO session_rollup (session_id, debug, user_key, first_ts, last_ts, user_messages, bot_messages) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    session.run('s-1', 0, 'ada', T0, T0 + 60_000, 1, 1);
    session.run('s-2', 0, 'ada', T0 + 5 * 60_000, T0 + 40 * 60_000, 3, 2);
    session.run('s-3', 0, 'bob', T0 + 20 * 60_000, T0 + 20 * 60_000, 1, 0);
    session.run('s-4', 1, 'cy', T0 + 20 * 60_000, T0 + 30 * 60_000, 2, 2);
    const conversation = db.prepare('INSERT INTO conversation_rollup (conversation_id, debug, user_key, first_ts, prompts) VALUES (?, ?, ?, ?, ?)');
    conversation.run('c-1', 0, 'ada', T0 + 2 * 60_000, 3);
    conversation.run('c-2', 0, 'bob', T0 + 50 * 60_000, 1);
    conversation.run('c-3', 2, 'bot', T0 + 50 * 60_000, 9);
    const activity = db.prepare('INSERT INTO user_activity (quarter, user_key, debug, prompts) VALUES (?, ?, ?, 1)');
    activity.run(T0 / QUARTER_MS, 'ada', 0);
    activity.run(T0 / QUARTER_MS + 2, 'ada', 0);
    activity.run(T0 / QUARTER_MS + 2, 'bob', 4);
    const range = [T0, T0 + HOUR_MS] as const;
    const before = sessionTotalsFromRollup(db, scopeOf(...range));
    const conversationsBefore = conversationTotalsFromRollup(db, scopeOf(...range));

    migrate(db, migrations);

    expect(db.prepare('SELECT quarter FROM session_lists_stale ORDER BY quarter').pluck().all()).toEqual([T0 / QUARTER_MS, T0 / QUARTER_MS + 1]);
    expect(db.prepare('SELECT quarter FROM conversation_lists_stale ORDER BY quarter').pluck().all()).toEqual([T0 / QUARTER_MS, T0 / QUARTER_MS + 3]);
    expect(before).toMatchObject({ sessions: 3, users: 2, messages: 8, totalDurationMs: 60_000 + 35 * 60_000 });
    expect(conversationsBefore).toEqual({ conversations: 2, users: 2, prompts: 4 });
    for (const lists of ['activity_steps', 'activity_users']) {
      expect(db.prepare(`SELECT quarter FROM ${lists}_stale ORDER BY quarter`).pluck().all()).toEqual([T0 / QUARTER_MS, T0 / QUARTER_MS + 2]);
    }
    expect(sessionTotalsFromLists(db, ...range)).toEqual(before);
    expect(conversationTotals(db, scopeOf(...range))).toEqual(conversationsBefore);

    expect(quarterListWriter(db, SESSION_LISTS).refresh(10)).toBe(2);
    expect(quarterListWriter(db, CONVERSATION_LISTS).refresh(10)).toBe(2);

    expect(db.prepare('SELECT COUNT(*) FROM session_lists_stale').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM conversation_lists_stale').pluck().get()).toBe(0);
    expect(sessionTotalsFromLists(db, ...range)).toEqual(before);
    expect(conversationTotals(db, scopeOf(...range))).toEqual(conversationsBefore);
  });
});
