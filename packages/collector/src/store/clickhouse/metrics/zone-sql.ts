import { DAY_MS } from '../../../metrics/local-day.js';
import type { ZoneCalendar } from '../../../metrics/zone-calendar.js';

/**
 * The local day (days since 1970-01-01 on the zone's calendar) of an epoch-ms
 * Int64 expression: the offset is a `multiIf` over the window's few DST
 * segments, inlined as integer literals computed here (never user text).
 * ClickHouse's own time-zone functions are not used: 18.16 knows fewer zones
 * than Intl, and the segments keep both engines on the same calendar.
 */
export function localDaySql(calendar: ZoneCalendar, msExpression: string): string {
  return `intDiv(${msExpression} + ${offsetSql(calendar, msExpression)}, ${DAY_MS})`;
}

export function offsetSql(calendar: ZoneCalendar, msExpression: string): string {
  const [first, ...rest] = calendar.segments;
  if (first === undefined) return '0';
  if (rest.length === 0) return integer(first.offsetMs);
  const branches = rest.map((segment, index) => `${msExpression} < ${integer(segment.fromMs)}, ${integer((calendar.segments[index] ?? first).offsetMs)}`);
  return `multiIf(${branches.join(', ')}, ${integer(rest.at(-1)?.offsetMs ?? 0)})`;
}

/** Guards the inlining: only safe integers ever reach the SQL text. */
function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`expected a safe integer for SQL, got ${value}`);
  return `toInt64(${value})`;
}
