import { DAY_MS } from '../../../metrics/local-day.js';
import type { ZoneCalendar } from '../../../metrics/zone-calendar.js';

/**
 * SQL for the local day of an epoch-ms expression in the calendar's zone:
 * the offset is a CASE over the few DST segments of the window, inlined as
 * integer literals (computed here, never user text), so the day is plain
 * integer arithmetic per row.
 */
export function localDaySql(calendar: ZoneCalendar, msExpression: string): string {
  return `((${msExpression}) + ${offsetSql(calendar, msExpression)}) / ${DAY_MS}`;
}

export function offsetSql(calendar: ZoneCalendar, msExpression: string): string {
  const [first, ...rest] = calendar.segments;
  if (first === undefined) return '0';
  if (rest.length === 0) return integer(first.offsetMs);
  const branches = rest
    .map((segment, index) => `WHEN (${msExpression}) < ${integer(segment.fromMs)} THEN ${integer((calendar.segments[index] ?? first).offsetMs)}`)
    .join(' ');
  return `(CASE ${branches} ELSE ${integer(rest.at(-1)?.offsetMs ?? 0)} END)`;
}

/** Guards the inlining: only safe integers ever reach the SQL text. */
function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`expected a safe integer for SQL, got ${value}`);
  return String(value);
}
