import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { SessionDetail, SessionTotals } from '../../../metrics/metrics-source.js';
import type { TrafficInclusion } from '../../../metrics/metric-scope.js';
import { percentileCont } from '../../../metrics/percentile.js';
import { dayPieces } from '../day-pieces.js';
import { SESSION_DAY_TABLES } from '../migrations/021-session-days.js';
import { DistinctUsers, listQuarters, maxUserOrdinal, type QuarterEntries, quarterEntries, SESSION_LISTS } from '../quarter-lists.js';
import { storedId } from '../session-conversation-ids.js';
import { addSession, addSessionSums, emptySessionSums, readSessionDays, type SessionDay } from '../session-days.js';
import { andTrafficSql, trafficView } from '../traffic-flags.js';

/**
 * Sessions of the range from the session rollup: a session belongs to the
 * range its first message falls in. With flagged traffic included (debug,
 * bots, internal), a session's rows of the counted flags are merged, and its
 * first message is the earliest of them (a row starting in the range does not
 * make the session start there).
 */
function sessionsSql(traffic: TrafficInclusion): string {
  const counted = andTrafficSql('debug', traffic);
  return trafficView(traffic) !== 'ordinary'
    ? `SELECT MAX(user_key) AS user_key, MIN(first_ts) AS first_ts, MAX(last_ts) AS last_ts,
              SUM(user_messages + bot_messages) AS messages, SUM(user_messages) AS prompts
         FROM session_rollup
        WHERE session_id IN (SELECT session_id FROM session_rollup WHERE first_ts >= @start AND first_ts < @end${counted})${counted}
        GROUP BY session_id
       HAVING MIN(first_ts) >= @start`
    : `SELECT user_key, first_ts, last_ts, user_messages + bot_messages AS messages, user_messages AS prompts
         FROM session_rollup WHERE first_ts >= @start AND first_ts < @end AND debug = 0`;
}

/**
 * Ordinary traffic over quarter-hour bounds (every zone's days) reads the
 * session summaries of whole UTC days (migration 021, session-days.ts) and
 * the session lists of the other quarters (migration 014, quarter-lists.ts);
 * flagged traffic merges rows of several flags per session, which only the
 * rollup has.
 */
export function sessionTotals(db: Database.Database, scope: MetricScope): SessionTotals {
  const fromLists = trafficView(scope) === 'ordinary' ? sessionTotalsFromLists(db, scope.startMs, scope.endMs) : null;
  return fromLists ?? sessionTotalsFromRollup(db, scope);
}

/**
 * The ordinary sessions of a range from the day summaries and quarter lists;
 * null when the range is not on quarter-hours. One read transaction, so that
 * a day or quarter rewritten meanwhile is counted exactly once.
 */
export function sessionTotalsFromLists(db: Database.Database, startMs: number, endMs: number): SessionTotals | null {
  const range = listQuarters(startMs, endMs);
  if (range === null) return null;
  return db.transaction((): SessionTotals => {
    const days: SessionDay[] = [];
    const quarters: Omit<QuarterEntries, 'maxOrdinal'>[] = [];
    for (const piece of dayPieces(db, SESSION_DAY_TABLES.stale, range.q0, range.q1)) {
      if (piece.from === 'days') days.push(...readSessionDays(db, piece.startDay, piece.endDay));
      else quarters.push(quarterEntries(db, SESSION_LISTS, piece.q0, piece.q1));
    }
    const users = new DistinctUsers(maxUserOrdinal(db));
    const sums = emptySessionSums();
    const durations = new Float64Array(
      days.reduce((count, day) => count + day.sessions, 0) +
        quarters.reduce((count, { lists, width, stale }) => count + lists.reduce((sum, list) => sum + list.length / width, 0) + stale.length, 0),
    );
    let next = 0;
    for (const day of days) {
      for (let at = 0; at < day.users.length; at += 1) users.add(day.users[at] as number);
      addSessionSums(sums, day);
      durations.set(day.durations, next);
      next += day.durations.length;
    }
    for (const { lists, width, stale } of quarters) {
      for (const list of lists) {
        for (let at = 0; at < list.length; at += width) {
          users.add(list[at] as number);
          durations[next++] = list[at + 1] as number;
          addSession(sums, list[at + 1] as number, list[at + 2] as number, list[at + 3] as number);
        }
      }
      for (const [ordinal, userKey, durationMs, userMessages, botMessages] of stale) {
        users.add(ordinal, userKey);
        durations[next++] = durationMs as number;
        addSession(sums, durationMs as number, userMessages as number, botMessages as number);
      }
    }
    // SQLite's median() is percentile_cont at 0.5, which percentileCont reproduces.
    return { ...sums, users: users.size, medianDurationMs: durations.length > 0 ? percentileCont(durations, 0.5) : 0 };
  })();
}

export function sessionTotalsFromRollup(db: Database.Database, scope: MetricScope): SessionTotals {
  return db
    .prepare(
      `SELECT COUNT(*) AS sessions,
              COUNT(DISTINCT user_key) AS users,
              COALESCE(SUM(messages), 0) AS messages,
              COALESCE(SUM(messages = 1), 0) AS singleMessageSessions,
              COALESCE(SUM(prompts), 0) AS prompts,
              COALESCE(SUM(prompts = 1), 0) AS singlePromptSessions,
              COALESCE(SUM(last_ts - first_ts), 0) AS totalDurationMs,
              COALESCE(median(last_ts - first_ts), 0) AS medianDurationMs
         FROM (${sessionsSql(scope)})`,
    )
    .get({ start: scope.startMs, end: scope.endMs }) as SessionTotals;
}

export function sessionById(db: Database.Database, sessionId: string, traffic: TrafficInclusion): SessionDetail | null {
  const row = db
    .prepare(
      `SELECT SUM(user_messages) AS userMessages, SUM(bot_messages) AS botMessages,
              MIN(first_ts) AS firstMs, MAX(last_ts) AS lastMs
         FROM session_rollup WHERE session_id = @sessionId${andTrafficSql('debug', traffic)}`,
    )
    .get({ sessionId: storedId(sessionId) }) as { [K in keyof SessionDetail]: number | null };
  // An aggregate over no rows is one row of NULLs.
  if (row.userMessages === null || row.botMessages === null || row.firstMs === null || row.lastMs === null) return null;
  return { userMessages: row.userMessages, botMessages: row.botMessages, firstMs: row.firstMs, lastMs: row.lastMs };
}
