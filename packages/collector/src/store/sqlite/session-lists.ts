import type Database from 'better-sqlite3';
import type { SessionTotals } from '../../metrics/metrics-source.js';
import { percentileCont } from '../../metrics/percentile.js';
import { readFloat64Values } from './metrics/float64-values.js';

/** A UTC quarter-hour, as in the rollups: `ts / 900000` in SQLite's integer division. */
const QUARTER_MS = 900_000;
/** Values per session in a list (migration 014): user ordinal, duration ms, user messages, bot messages. */
const SESSION_VALUES = 4;
const VALUE_BYTES = 8;

/**
 * The ordinary sessions of one quarter as `session_rollup` holds them, the
 * user's ordinal null when the key has none yet. The index's range rather
 * than `first_ts / 900000 = ?`, which no index can serve.
 */
const QUARTER_SESSIONS_SQL = `
  SELECT o.ordinal, s.user_key, s.last_ts - s.first_ts, s.user_messages, s.bot_messages
    FROM session_rollup s INDEXED BY session_rollup_first
    LEFT JOIN user_ordinals o ON o.user_key = s.user_key
   WHERE s.first_ts >= ? AND s.first_ts < ? AND s.debug = 0`;

type QuarterSession = [ordinal: number | null, userKey: string, durationMs: number, userMessages: number, botMessages: number];

/**
 * The timestamps whose quarter is `quarter` under SQLite's integer division,
 * which truncates toward zero: quarter 0 spans both sides of the epoch.
 */
function quarterBounds(quarter: number): [from: number, to: number] {
  const from = quarter > 0 ? quarter * QUARTER_MS : (quarter - 1) * QUARTER_MS + 1;
  const to = quarter < 0 ? quarter * QUARTER_MS + 1 : (quarter + 1) * QUARTER_MS;
  return [from, to];
}

/**
 * Rewrites the session lists of stale quarters (migration 014): runs in the
 * background fold's connection, a few quarters per transaction, so that a
 * query finds most of a range in lists and reads the rest from the rollup.
 */
export class SessionListWriter {
  readonly #staleQuarters: Database.Statement;
  readonly #quarterSessions: Database.Statement;
  readonly #insertOrdinal: Database.Statement;
  readonly #writeList: Database.Statement;
  readonly #deleteList: Database.Statement;
  readonly #unmarkStale: Database.Statement;

  constructor(db: Database.Database) {
    this.#staleQuarters = db.prepare('SELECT quarter FROM session_lists_stale ORDER BY quarter LIMIT ?').pluck();
    this.#quarterSessions = db.prepare(QUARTER_SESSIONS_SQL).raw();
    this.#insertOrdinal = db.prepare('INSERT INTO user_ordinals (user_key) VALUES (?)');
    this.#writeList = db.prepare('INSERT OR REPLACE INTO session_lists (quarter, sessions) VALUES (?, ?)');
    this.#deleteList = db.prepare('DELETE FROM session_lists WHERE quarter = ?');
    this.#unmarkStale = db.prepare('DELETE FROM session_lists_stale WHERE quarter = ?');
  }

  /** Rewrites the lists of up to `limit` stale quarters, oldest first; returns how many. Call inside a write transaction. */
  refresh(limit: number): number {
    const quarters = this.#staleQuarters.all(limit) as number[];
    for (const quarter of quarters) this.#rewrite(quarter);
    return quarters.length;
  }

  #rewrite(quarter: number): void {
    const sessions = this.#quarterSessions.all(...quarterBounds(quarter)) as QuarterSession[];
    this.#unmarkStale.run(quarter);
    if (sessions.length === 0) {
      this.#deleteList.run(quarter);
      return;
    }
    // A new user may have several sessions in the quarter: numbered once.
    const numbered = new Map<string, number>();
    const list = Buffer.allocUnsafe(sessions.length * SESSION_VALUES * VALUE_BYTES);
    let offset = 0;
    for (const [ordinal, userKey, durationMs, userMessages, botMessages] of sessions) {
      let number = ordinal ?? numbered.get(userKey);
      if (number === undefined) {
        number = Number(this.#insertOrdinal.run(userKey).lastInsertRowid);
        numbered.set(userKey, number);
      }
      offset = list.writeDoubleBE(number, offset);
      offset = list.writeDoubleBE(durationMs, offset);
      offset = list.writeDoubleBE(userMessages, offset);
      offset = list.writeDoubleBE(botMessages, offset);
    }
    this.#writeList.run(quarter, list);
  }
}

/**
 * The ordinary sessions whose first message is in [startMs, endMs), from the
 * lists of the range's quarters and, for the stale ones, from the rollup;
 * null when the range does not start and end on quarter-hours at or after the
 * epoch (then only `session_rollup` can answer). One read transaction, so that
 * a list rewritten meanwhile is counted exactly once.
 */
export function sessionTotalsFromLists(db: Database.Database, startMs: number, endMs: number): SessionTotals | null {
  if (startMs < 0 || startMs % QUARTER_MS !== 0 || endMs % QUARTER_MS !== 0) return null;
  const q0 = startMs / QUARTER_MS;
  const q1 = Math.max(q0, endMs / QUARTER_MS);
  return db.transaction(() => {
    const lists = db
      .prepare(
        `SELECT sessions FROM session_lists
          WHERE quarter >= ? AND quarter < ? AND quarter NOT IN (SELECT quarter FROM session_lists_stale WHERE quarter >= ? AND quarter < ?)`,
      )
      .pluck()
      .all(q0, q1, q0, q1) as Buffer[];
    const staleQuarters = db.prepare('SELECT quarter FROM session_lists_stale WHERE quarter >= ? AND quarter < ?').pluck().all(q0, q1) as number[];
    const quarterSessions = db.prepare(QUARTER_SESSIONS_SQL).raw();
    const staleSessions = staleQuarters.flatMap((quarter) => quarterSessions.all(...quarterBounds(quarter)) as QuarterSession[]);
    const maxOrdinal = (db.prepare('SELECT MAX(ordinal) FROM user_ordinals').pluck().get() as number | null) ?? 0;
    return totalsOf(lists.map(readFloat64Values), staleSessions, maxOrdinal);
  })();
}

/** The totals of listed sessions (quadruples) and rollup rows together; users are counted by ordinal, or by key when unnumbered. */
function totalsOf(lists: readonly Float64Array[], staleSessions: readonly QuarterSession[], maxOrdinal: number): SessionTotals {
  const listed = lists.reduce((sum, list) => sum + list.length / SESSION_VALUES, 0);
  const durations = new Float64Array(listed + staleSessions.length);
  const seen = new Uint8Array(maxOrdinal + 1);
  const unnumberedUsers = new Set<string>();
  const totals: SessionTotals = {
    sessions: durations.length,
    users: 0,
    messages: 0,
    singleMessageSessions: 0,
    prompts: 0,
    singlePromptSessions: 0,
    totalDurationMs: 0,
    medianDurationMs: 0,
  };
  let next = 0;
  const add = (durationMs: number, userMessages: number, botMessages: number): void => {
    durations[next++] = durationMs;
    const messages = userMessages + botMessages;
    totals.messages += messages;
    if (messages === 1) totals.singleMessageSessions += 1;
    totals.prompts += userMessages;
    if (userMessages === 1) totals.singlePromptSessions += 1;
    totals.totalDurationMs += durationMs;
  };
  const count = (ordinal: number): void => {
    if (seen[ordinal] === 0) {
      seen[ordinal] = 1;
      totals.users += 1;
    }
  };
  for (const list of lists) {
    for (let at = 0; at < list.length; at += SESSION_VALUES) {
      count(list[at] as number);
      add(list[at + 1] as number, list[at + 2] as number, list[at + 3] as number);
    }
  }
  for (const [ordinal, userKey, durationMs, userMessages, botMessages] of staleSessions) {
    if (ordinal === null) unnumberedUsers.add(userKey);
    else count(ordinal);
    add(durationMs, userMessages, botMessages);
  }
  totals.users += unnumberedUsers.size;
  if (durations.length > 0) totals.medianDurationMs = percentileCont(durations, 0.5);
  return totals;
}
