import type Database from 'better-sqlite3';

/** Quarter-hours per UTC day: a quarter's day is `quarter / 96` in SQLite's integer division. */
export const QUARTERS_PER_DAY = 96;

/**
 * Quarter-hours per week of 7 UTC days: a quarter's week is `quarter / 672`
 * in SQLite's integer division, so weeks start on Thursdays, as 1970-01-01 did.
 */
export const QUARTERS_PER_WEEK = 7 * QUARTERS_PER_DAY;

/** A run of quarter-hours [q0, q1), read from a quarter table. */
export type QuarterPiece = { from: 'quarters'; q0: number; q1: number };

/** A run of a range: whole fresh units [start, end) (days or weeks) from a table per unit, or quarter-hours from its quarter table. */
export type UnitPiece = { from: 'units'; start: number; end: number } | QuarterPiece;

/** A run of a range read from one table: whole fresh days from a day table, or quarter-hours from its quarter table. */
export type DayPiece = { from: 'days'; startDay: number; endDay: number } | QuarterPiece;

/**
 * The whole units of `quartersPerUnit` quarters inside [q0, q1), as
 * [first, end); none for a range starting before the epoch, since SQLite's
 * integer division truncates toward zero: unit 0 would also take quarters
 * before the epoch, which only the quarter table tells apart.
 */
export function wholeUnits(q0: number, q1: number, quartersPerUnit: number): { first: number; end: number } {
  if (q0 < 0) return { first: 0, end: 0 };
  const first = Math.ceil(q0 / quartersPerUnit);
  return { first, end: Math.max(first, Math.floor(q1 / quartersPerUnit)) };
}

/**
 * Quarters [q0, q1) as runs in time order: the whole units (wholeUnits) not
 * in `staleUnits`, and the quarter-hours around and between them. Reading
 * the runs in this order gives each key's rows in the order of the quarter
 * table.
 */
export function unitPieces(q0: number, q1: number, quartersPerUnit: number, staleUnits: ReadonlySet<number>): UnitPiece[] {
  const pieces: UnitPiece[] = [];
  let quartersFrom = q0;
  const { first, end } = wholeUnits(q0, q1, quartersPerUnit);
  for (let unit = first; unit < end; unit += 1) {
    if (staleUnits.has(unit)) continue;
    if (unit * quartersPerUnit > quartersFrom) pieces.push({ from: 'quarters', q0: quartersFrom, q1: unit * quartersPerUnit });
    const last = pieces[pieces.length - 1];
    if (last?.from === 'units' && last.end === unit) last.end = unit + 1;
    else pieces.push({ from: 'units', start: unit, end: unit + 1 });
    quartersFrom = (unit + 1) * quartersPerUnit;
  }
  if (q1 > quartersFrom) pieces.push({ from: 'quarters', q0: quartersFrom, q1 });
  return pieces;
}

/**
 * Quarters [q0, q1) as runs in time order: the whole UTC days that `stale`
 * (a table of day numbers) does not name, and the quarter-hours around and
 * between them (unitPieces). Call inside the reader's transaction, so that
 * the runs and the rows read after them come from one snapshot.
 */
export function dayPieces(db: Database.Database, stale: string, q0: number, q1: number): DayPiece[] {
  const { first, end } = wholeUnits(q0, q1, QUARTERS_PER_DAY);
  const staleDays = new Set(db.prepare(`SELECT day FROM ${stale} WHERE day >= ? AND day < ?`).pluck().all(first, end) as number[]);
  return unitPieces(q0, q1, QUARTERS_PER_DAY, staleDays).map(
    (piece): DayPiece => (piece.from === 'units' ? { from: 'days', startDay: piece.start, endDay: piece.end } : piece),
  );
}
