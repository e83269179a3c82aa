import type Database from 'better-sqlite3';
import { CompactValuesWriter, readCompactLists } from './compact-values.js';
import { dayPieces } from './day-pieces.js';
import { dayPackTablesOf } from './migrations/022-quarter-list-days.js';
import { type DayPackTables, readDayPacks } from './quarter-list-days.js';

/** A UTC quarter-hour, as in the rollups: `ts / 900000` in SQLite's integer division. */
const QUARTER_MS = 900_000;

/**
 * One kind of quarter list (migration 014): the ordinary rows (debug = 0) of
 * a per-session or per-conversation rollup, one list per UTC quarter-hour of
 * their first message. Each entry is the user's ordinal then `values`
 * (compact-values.ts).
 */
export interface QuarterListKind extends ListTables {
  rollup: 'session_rollup' | 'conversation_rollup';
  /** The rollup's index on (first_ts, debug, …) covering `values` and user_key. */
  index: string;
  /** The values after the ordinal, as SQL over the rollup row `r`. */
  values: readonly string[];
}

export const SESSION_LISTS: QuarterListKind = {
  rollup: 'session_rollup',
  index: 'session_rollup_first',
  lists: 'session_lists',
  stale: 'session_lists_stale',
  values: ['r.last_ts - r.first_ts', 'r.user_messages', 'r.bot_messages'],
};

export const CONVERSATION_LISTS: QuarterListKind = {
  rollup: 'conversation_rollup',
  index: 'conversation_rollup_first',
  lists: 'conversation_lists',
  stale: 'conversation_lists_stale',
  dayPacks: dayPackTablesOf('conversation_lists'),
  values: ['r.prompts'],
};

/** A rollup row of a stale quarter: the user's ordinal (null when the key has none yet), the key, then the kind's values. */
export type StaleEntry = [ordinal: number | null, userKey: string, ...values: number[]];

/**
 * The ordinary rows of one quarter, with the users' ordinals. The index's
 * range rather than `first_ts / 900000 = ?`, which no index can serve.
 */
function quarterRowsSql(kind: QuarterListKind): string {
  return `
    SELECT o.ordinal, r.user_key, ${kind.values.join(', ')}
      FROM ${kind.rollup} r INDEXED BY ${kind.index}
      LEFT JOIN user_ordinals o ON o.user_key = r.user_key
     WHERE r.first_ts >= ? AND r.first_ts < ? AND r.debug = 0`;
}

/**
 * The timestamps whose quarter is `quarter` under SQLite's integer division,
 * which truncates toward zero: quarter 0 spans both sides of the epoch.
 */
export function quarterBounds(quarter: number): [from: number, to: number] {
  const from = quarter > 0 ? quarter * QUARTER_MS : (quarter - 1) * QUARTER_MS + 1;
  const to = quarter < 0 ? quarter * QUARTER_MS + 1 : (quarter + 1) * QUARTER_MS;
  return [from, to];
}

/** The tables of one kind of list: a list per quarter, the quarters whose list is stale, and the day packs of some kinds. */
export interface ListTables {
  lists: string;
  stale: string;
  /** The lists of whole UTC days in one row each (migration 022). */
  dayPacks?: DayPackTables;
}

/**
 * Rewrites the lists of stale quarters: runs on the background fold's
 * connection, a few quarters per transaction, so that a query finds most of a
 * range in lists and reads the rest from the rollup. `encode` gives a
 * quarter's list from the rollup, or null when the quarter holds nothing.
 *
 * With `keepNewest` (the background fold's turns), the newest quarter
 * holding a list or a stale mark is left stale, to the readers: ingest keeps
 * adding to it, each fold batch marks it stale again, and its rewrite reads
 * all it holds so far, so rewriting it on every quiet turn would cost more
 * the busier the collector (live traffic falls in the current quarter, whose
 * lists were rewritten on every quiet turn, up to four times a second). It
 * is rewritten once a later quarter appears, or by `refreshAllLists()`.
 */
export class StaleListWriter implements ListRefresher {
  readonly #encode: (quarter: number) => Buffer | null;
  readonly #staleQuarters: Database.Statement;
  readonly #staleBeforeNewest: Database.Statement;
  readonly #writeList: Database.Statement;
  readonly #deleteList: Database.Statement;
  readonly #unmarkStale: Database.Statement;

  constructor(db: Database.Database, tables: ListTables, encode: (quarter: number) => Buffer | null) {
    this.#encode = encode;
    this.#staleQuarters = db.prepare(`SELECT quarter FROM ${tables.stale} ORDER BY quarter LIMIT ?`).pluck();
    const newest = `(SELECT MAX(quarter) FROM (SELECT MAX(quarter) AS quarter FROM ${tables.lists} UNION ALL SELECT MAX(quarter) FROM ${tables.stale}))`;
    this.#staleBeforeNewest = db.prepare(`SELECT quarter FROM ${tables.stale} WHERE quarter < ${newest} ORDER BY quarter LIMIT ?`).pluck();
    this.#writeList = db.prepare(`INSERT OR REPLACE INTO ${tables.lists} (quarter, entries) VALUES (?, ?)`);
    this.#deleteList = db.prepare(`DELETE FROM ${tables.lists} WHERE quarter = ?`);
    this.#unmarkStale = db.prepare(`DELETE FROM ${tables.stale} WHERE quarter = ?`);
  }

  /** Rewrites the lists of up to `limit` stale quarters, oldest first; returns how many. Call inside a write transaction. */
  refresh(limit: number, keepNewest = false): number {
    const quarters = (keepNewest ? this.#staleBeforeNewest : this.#staleQuarters).all(limit) as number[];
    for (const quarter of quarters) {
      const list = this.#encode(quarter);
      this.#unmarkStale.run(quarter);
      if (list === null) this.#deleteList.run(quarter);
      else this.#writeList.run(quarter, list);
    }
    return quarters.length;
  }
}

/**
 * What the background fold runs once the events are folded (rollup-materializer.ts): rewrites up to `limit`
 * stale lists inside the caller's write transaction and returns how many; `keepNewest` as for StaleListWriter.
 */
export interface ListRefresher {
  refresh(limit: number, keepNewest: boolean): number;
}

/**
 * The ordinal of a key as a list writer read it from a dictionary `table`
 * (`ordinal INTEGER PRIMARY KEY`, `column` the key; null when the key had
 * none), numbering new keys. Returns a function per list: a new key may have
 * several rows in one quarter, and is numbered once.
 */
export function keyNumbering(db: Database.Database, table: string, column: string): () => (ordinal: number | null, key: string) => number {
  const insertOrdinal = db.prepare(`INSERT INTO ${table} (${column}) VALUES (?)`);
  return () => {
    const numbered = new Map<string, number>();
    return (ordinal, key) => {
      let number = ordinal ?? numbered.get(key);
      if (number === undefined) {
        number = Number(insertOrdinal.run(key).lastInsertRowid);
        numbered.set(key, number);
      }
      return number;
    };
  };
}

/**
 * The numbers a reader gives keys of stale quarters: a key's ordinal when it
 * has one, else a number from `next` on, the same for the key all through
 * one answer (a read-only reader cannot number keys in the dictionary).
 * `size` is then the size an array indexed by number needs.
 */
export class ReaderNumbering {
  readonly #unnumbered = new Map<string, number>();
  #next: number;

  constructor(next: number) {
    this.#next = next;
  }

  numberOf(ordinal: number | null, key: string): number {
    if (ordinal !== null) return ordinal;
    let number = this.#unnumbered.get(key);
    if (number === undefined) {
      number = this.#next++;
      this.#unnumbered.set(key, number);
    }
    return number;
  }

  get size(): number {
    return this.#next;
  }
}

/** keyNumbering of the users (migration 014's `user_ordinals`). */
export function userNumbering(db: Database.Database): () => (ordinal: number | null, userKey: string) => number {
  return keyNumbering(db, 'user_ordinals', 'user_key');
}

/**
 * The writer of lists whose entries are a user's ordinal then values
 * (compact-values.ts); `rowsOf` gives a quarter's rows as [ordinal or null,
 * user key, ...values]. Numbers new users on the way.
 */
export function ordinalListWriter(db: Database.Database, tables: ListTables, rowsOf: (quarter: number) => StaleEntry[]): StaleListWriter {
  const numbering = userNumbering(db);
  return new StaleListWriter(db, tables, (quarter) => {
    const rows = rowsOf(quarter);
    if (rows.length === 0) return null;
    const numberOf = numbering();
    // Every row of a kind has the same length: the ordinal, the key and the kind's values.
    const list = new CompactValuesWriter((rows[0] as StaleEntry).length - 1);
    for (const [ordinal, userKey, ...values] of rows) {
      list.add(numberOf(ordinal, userKey));
      for (const value of values) list.add(value);
    }
    return list.bytes();
  });
}

/** The writer of a per-session or per-conversation kind. */
export function quarterListWriter(db: Database.Database, kind: QuarterListKind): StaleListWriter {
  const quarterRows = db.prepare(quarterRowsSql(kind)).raw();
  return ordinalListWriter(db, kind, (quarter) => quarterRows.all(...quarterBounds(quarter)) as StaleEntry[]);
}

/**
 * The lists of the range's fresh quarters and the range's stale quarters,
 * which a reader takes from the rollup instead; whole fresh days from their
 * day packs when the kind has them (migration 022). In time order. Call
 * inside the reader's transaction, so that all come from one snapshot.
 */
export function listsInRange(db: Database.Database, tables: ListTables, q0: number, q1: number): { lists: [quarter: number, entries: Buffer][]; stale: number[] } {
  const stale = db.prepare(`SELECT quarter FROM ${tables.stale} WHERE quarter >= ? AND quarter < ? ORDER BY quarter`).pluck().all(q0, q1) as number[];
  const quarterLists = db
    .prepare(
      `SELECT quarter, entries FROM ${tables.lists}
        WHERE quarter >= @q0 AND quarter < @q1 AND quarter NOT IN (SELECT quarter FROM ${tables.stale} WHERE quarter >= @q0 AND quarter < @q1)`,
    )
    .raw();
  if (tables.dayPacks === undefined) return { lists: quarterLists.all({ q0, q1 }) as [number, Buffer][], stale };
  const lists: [quarter: number, entries: Buffer][] = [];
  for (const piece of dayPieces(db, tables.dayPacks.stale, q0, q1)) {
    const pieceLists =
      piece.from === 'days'
        ? readDayPacks(db, tables.dayPacks, piece.startDay, piece.endDay)
        : (quarterLists.all({ q0: piece.q0, q1: piece.q1 }) as [number, Buffer][]);
    // A loop, not push(...): a stale database's pieces may hold more lists than a call takes arguments.
    for (const list of pieceLists) lists.push(list);
  }
  return { lists, stale };
}

/** What a range holds: the lists of its fresh quarters, the rollup rows of its stale ones, and the highest ordinal. */
export interface QuarterEntries {
  /** Entries of `width` values each: ordinal first. */
  lists: Float64Array[];
  width: number;
  stale: StaleEntry[];
  maxOrdinal: number;
}

/**
 * The quarters [q0, q1) of a range that starts and ends on quarter-hours at
 * or after the epoch; null for any other range (then only the rollup can
 * answer).
 */
export function listQuarters(startMs: number, endMs: number): { q0: number; q1: number } | null {
  if (startMs < 0 || startMs % QUARTER_MS !== 0 || endMs % QUARTER_MS !== 0) return null;
  const q0 = startMs / QUARTER_MS;
  return { q0, q1: Math.max(q0, endMs / QUARTER_MS) };
}

/**
 * The ordinary rows of quarters [q0, q1): fresh quarters from their lists,
 * stale ones from the rollup. Call inside the reader's transaction, so that a
 * list rewritten meanwhile is counted exactly once.
 */
export function quarterEntries(db: Database.Database, kind: QuarterListKind, q0: number, q1: number): Omit<QuarterEntries, 'maxOrdinal'> {
  const { lists, stale } = listsInRange(db, kind, q0, q1);
  const quarterRows = db.prepare(quarterRowsSql(kind)).raw();
  return {
    lists: readCompactLists(lists.map(([, entries]) => entries)),
    width: 1 + kind.values.length,
    stale: stale.flatMap((quarter) => quarterRows.all(...quarterBounds(quarter)) as StaleEntry[]),
  };
}

/** The highest user ordinal: a per-user array needs one more slot. */
export function maxUserOrdinal(db: Database.Database): number {
  return (db.prepare('SELECT MAX(ordinal) FROM user_ordinals').pluck().get() as number | null) ?? 0;
}

/**
 * The ordinary rows whose first time is in [startMs, endMs); null when the
 * range does not lie on quarter-hours (listQuarters). One read transaction.
 */
export function readQuarterEntries(db: Database.Database, kind: QuarterListKind, startMs: number, endMs: number): QuarterEntries | null {
  const quarters = listQuarters(startMs, endMs);
  if (quarters === null) return null;
  return db.transaction((): QuarterEntries => ({ ...quarterEntries(db, kind, quarters.q0, quarters.q1), maxOrdinal: maxUserOrdinal(db) }))();
}

/** Distinct users over ordinals and, for users not numbered yet, keys (a key without an ordinal is in no list). */
export class DistinctUsers {
  readonly #seen: Uint8Array;
  readonly #unnumbered = new Set<string>();
  #numbered = 0;

  constructor(maxOrdinal: number) {
    this.#seen = new Uint8Array(maxOrdinal + 1);
  }

  add(ordinal: number | null, userKey?: string): void {
    if (ordinal === null) {
      if (userKey !== undefined) this.#unnumbered.add(userKey);
    } else if (this.#seen[ordinal] === 0) {
      this.#seen[ordinal] = 1;
      this.#numbered += 1;
    }
  }

  get size(): number {
    return this.#numbered + this.#unnumbered.size;
  }
}
