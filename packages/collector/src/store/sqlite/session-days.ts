import type Database from 'better-sqlite3';
import { QUARTERS_PER_DAY } from './day-pieces.js';
import { readInt32Values, writeInt32Values } from './int32-values.js';
import { readFloat64Values } from './metrics/float64-values.js';
import { SESSION_DAY_TABLES } from './migrations/021-session-days.js';
import { SESSION_LISTS } from './quarter-lists.js';

const DAY_MS = 86_400_000;
const VALUE_BYTES = 8;

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

/** The width of a session list entry: ordinal, duration, user messages, bot messages (quarter-lists.ts). */
const SESSION_ENTRY_WIDTH = 1 + SESSION_LISTS.values.length;

/**
 * Rewrites the summaries of stale days from their quarter lists, oldest
 * first, on the background fold's connection after the quarter lists' own
 * writer. A day waits while one of its quarters is stale (its list is not
 * what the rollup holds yet); the latest day is left to the quarter lists,
 * since ingest keeps changing it.
 */
export class SessionDayWriter {
  readonly #staleDays: Database.Statement;
  readonly #quarterLists: Database.Statement;
  readonly #writeDay: Database.Statement;
  readonly #deleteDay: Database.Statement;
  readonly #unmarkStale: Database.Statement;

  constructor(db: Database.Database) {
    const { days, stale } = SESSION_DAY_TABLES;
    this.#staleDays = db
      .prepare(
        `SELECT s.day FROM ${stale} s
          WHERE s.day < (SELECT MAX(first_ts) / ${DAY_MS} FROM session_rollup)
            AND NOT EXISTS (SELECT 1 FROM ${SESSION_LISTS.stale} q
                             WHERE q.quarter >= s.day * ${QUARTERS_PER_DAY} AND q.quarter < (s.day + 1) * ${QUARTERS_PER_DAY})
          ORDER BY s.day LIMIT ?`,
      )
      .pluck();
    this.#quarterLists = db.prepare(`SELECT entries FROM ${SESSION_LISTS.lists} WHERE quarter >= ? AND quarter < ?`).pluck();
    this.#writeDay = db.prepare(
      `INSERT OR REPLACE INTO ${days}
         (day, sessions, messages, single_message_sessions, prompts, single_prompt_sessions, total_duration_ms, users, durations)
       VALUES (@day, @sessions, @messages, @singleMessageSessions, @prompts, @singlePromptSessions, @totalDurationMs, @users, @durations)`,
    );
    this.#deleteDay = db.prepare(`DELETE FROM ${days} WHERE day = ?`);
    this.#unmarkStale = db.prepare(`DELETE FROM ${stale} WHERE day = ?`);
  }

  /** Rewrites up to `limit` stale days; returns how many. Call inside a write transaction. */
  refresh(limit: number): number {
    const days = this.#staleDays.all(limit) as number[];
    for (const day of days) {
      const lists = (this.#quarterLists.all(day * QUARTERS_PER_DAY, (day + 1) * QUARTERS_PER_DAY) as Buffer[]).map(readFloat64Values);
      this.#unmarkStale.run(day);
      if (lists.length === 0) this.#deleteDay.run(day);
      else this.#writeDay.run({ day, ...summarize(lists) });
    }
    return days.length;
  }
}

/** A day's row from the entries of its quarter lists. */
function summarize(lists: readonly Float64Array[]): SessionSums & { users: Buffer; durations: Buffer } {
  const sums = emptySessionSums();
  const users = new Set<number>();
  const durations = Buffer.allocUnsafe(lists.reduce((bytes, list) => bytes + (list.length / SESSION_ENTRY_WIDTH) * VALUE_BYTES, 0));
  let offset = 0;
  for (const list of lists) {
    for (let at = 0; at < list.length; at += SESSION_ENTRY_WIDTH) {
      const durationMs = list[at + 1] as number;
      users.add(list[at] as number);
      addSession(sums, durationMs, list[at + 2] as number, list[at + 3] as number);
      offset = durations.writeDoubleBE(durationMs, offset);
    }
  }
  return { ...sums, users: writeInt32Values(Int32Array.from(users).sort()), durations };
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
  return rows.map((row) => ({ ...row, users: readInt32Values(row.users), durations: readFloat64Values(row.durations) }));
}
