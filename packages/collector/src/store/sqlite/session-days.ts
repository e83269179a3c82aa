import type Database from 'better-sqlite3';
import { CompactValuesWriter, readCompactLists } from './compact-values.js';
import { readInt32Values, writeInt32Values } from './int32-values.js';
import { SESSION_DAY_TABLES } from './migrations/021-session-days.js';
import { DAY_UNIT } from './migrations/unit-staleness.js';
import { QuarterUnitWriter } from './quarter-unit-writer.js';
import { SESSION_LISTS } from './quarter-lists.js';

/** The sums of a set of sessions, as `session_days` holds them for a day. */
export interface SessionSums {
  sessions: number;
  messages: number;
  singleMessageSessions: number;
  prompts: number;
  singlePromptSessions: number;
  totalDurationMs: number;
}

/** A day's summary (migration 021): the sums, its distinct users' ordinals and every session's duration. */
export interface SessionDay extends SessionSums {
  users: Int32Array;
  durations: Float64Array;
}

export function emptySessionSums(): SessionSums {
  return { sessions: 0, messages: 0, singleMessageSessions: 0, prompts: 0, singlePromptSessions: 0, totalDurationMs: 0 };
}

/** Adds one session to `sums`. */
export function addSession(sums: SessionSums, durationMs: number, userMessages: number, botMessages: number): void {
  const messages = userMessages + botMessages;
  sums.sessions += 1;
  sums.messages += messages;
  if (messages === 1) sums.singleMessageSessions += 1;
  sums.prompts += userMessages;
  if (userMessages === 1) sums.singlePromptSessions += 1;
  sums.totalDurationMs += durationMs;
}

/** Adds the sums of other sessions (a day's) to `sums`. */
export function addSessionSums(sums: SessionSums, other: SessionSums): void {
  sums.sessions += other.sessions;
  sums.messages += other.messages;
  sums.singleMessageSessions += other.singleMessageSessions;
  sums.prompts += other.prompts;
  sums.singlePromptSessions += other.singlePromptSessions;
  sums.totalDurationMs += other.totalDurationMs;
}

/** The width of a session list entry: ordinal, duration, user messages, bot messages (quarter-lists.ts). */
const SESSION_ENTRY_WIDTH = 1 + SESSION_LISTS.values.length;

/** Rewrites the summaries of stale days (migration 021) from their quarter lists (quarter-unit-writer.ts). */
export function sessionDayWriter(db: Database.Database): QuarterUnitWriter {
  const writeDay = db.prepare(
    `INSERT OR REPLACE INTO ${SESSION_DAY_TABLES.days}
       (day, sessions, messages, single_message_sessions, prompts, single_prompt_sessions, total_duration_ms, users, durations)
     VALUES (@day, @sessions, @messages, @singleMessageSessions, @prompts, @singlePromptSessions, @totalDurationMs, @users, @durations)`,
  );
  const deleteDay = db.prepare(`DELETE FROM ${SESSION_DAY_TABLES.days} WHERE day = ?`);
  return new QuarterUnitWriter(db, { ...SESSION_LISTS, unitStale: SESSION_DAY_TABLES.stale }, DAY_UNIT, (day, lists) => {
    if (lists.length === 0) deleteDay.run(day);
    else writeDay.run({ day, ...summarize(readCompactLists(lists.map(([, entries]) => entries))) });
  });
}

/** A day's row from the entries of its quarter lists. */
function summarize(lists: readonly Float64Array[]): SessionSums & { users: Buffer; durations: Buffer } {
  const sums = emptySessionSums();
  const users = new Set<number>();
  const durations = new CompactValuesWriter(1);
  for (const list of lists) {
    for (let at = 0; at < list.length; at += SESSION_ENTRY_WIDTH) {
      const durationMs = list[at + 1] as number;
      users.add(list[at] as number);
      addSession(sums, durationMs, list[at + 2] as number, list[at + 3] as number);
      durations.add(durationMs);
    }
  }
  return { ...sums, users: writeInt32Values(Int32Array.from(users).sort()), durations: durations.bytes() };
}

/** The summaries of days [startDay, endDay) that hold sessions. Call inside the reader's transaction. */
export function readSessionDays(db: Database.Database, startDay: number, endDay: number): SessionDay[] {
  const rows = db
    .prepare(
      `SELECT sessions, messages, single_message_sessions AS singleMessageSessions, prompts,
              single_prompt_sessions AS singlePromptSessions, total_duration_ms AS totalDurationMs, users, durations
         FROM ${SESSION_DAY_TABLES.days} WHERE day >= ? AND day < ?`,
    )
    .all(startDay, endDay) as (SessionSums & { users: Buffer; durations: Buffer })[];
  const durations = readCompactLists(rows.map((row) => row.durations));
  return rows.map((row, index) => ({ ...row, users: readInt32Values(row.users), durations: durations[index] as Float64Array }));
}
