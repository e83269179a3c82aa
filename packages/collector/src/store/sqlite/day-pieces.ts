import type Database from 'better-sqlite3';

/** Quarter-hours per UTC day: a quarter's day is `quarter / 96` in SQLite's integer division. */
export const QUARTERS_PER_DAY = 96;

/** A run of a range read from one table: whole fresh days from a day table, or quarter-hours from its quarter table. */
export type DayPiece = { from: 'days'; startDay: number; endDay: number } | { from: 'quarters'; q0: number; q1: number };

/**
 * Quarters [q0, q1) as runs in time order: the whole UTC days that `stale`
 * (a table of day numbers) does not name, and the quarter-hours around and
 * between them. Reading the runs in this order gives each key's rows in the
 * order of the quarter table. Call inside the reader's transaction, so that
 * the runs and the rows read after them come from one snapshot.
 */
export function dayPieces(db: Database.Database, stale: string, q0: number, q1: number): DayPiece[] {
  const pieces: DayPiece[] = [];
  let quartersFrom = q0;
  // SQLite's integer division truncates toward zero: day 0 would also take quarters before the epoch.
  if (q0 >= 0) {
    const firstDay = Math.ceil(q0 / QUARTERS_PER_DAY);
    const endDay = Math.floor(q1 / QUARTERS_PER_DAY);
    const staleDays = new Set(db.prepare(`SELECT day FROM ${stale} WHERE day >= ? AND day < ?`).pluck().all(firstDay, endDay) as number[]);
    for (let day = firstDay; day < endDay; day += 1) {
      if (staleDays.has(day)) continue;
      if (day * QUARTERS_PER_DAY > quartersFrom) pieces.push({ from: 'quarters', q0: quartersFrom, q1: day * QUARTERS_PER_DAY });
      const last = pieces[pieces.length - 1];
      if (last?.from === 'days' && last.endDay === day) last.endDay = day + 1;
      else pieces.push({ from: 'days', startDay: day, endDay: day + 1 });
      quartersFrom = (day + 1) * QUARTERS_PER_DAY;
    }
  }
  if (q1 > quartersFrom) pieces.push({ from: 'quarters', q0: quartersFrom, q1 });
  return pieces;
}
