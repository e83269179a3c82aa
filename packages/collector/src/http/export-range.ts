import type { ExportRange } from '../store/event-export.js';
import { HttpError } from './http-error.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** An instant with its zone: a date-only string would be read as UTC midnight anyway, a zoneless time as server-local. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `from` and `to` of `GET /v1/export`, both required, each a UTC day
 * (`2026-03-01`) or an instant with its zone (`2026-03-01T12:00:00Z`). A day
 * covers all of it: `from=2026-03-01&to=2026-03-01` is that whole UTC day;
 * an instant is exact (`from` included, `to` excluded), so consecutive
 * windows of an incremental load neither overlap nor leave a gap.
 */
export function parseExportRange(query: Record<string, unknown>): ExportRange {
  const fromMs = parseBound(query, 'from', 'start');
  const toMs = parseBound(query, 'to', 'end');
  if (fromMs >= toMs) {
    throw new HttpError(400, 'invalid_parameter', `"to" must be after "from", got from=${String(query['from'])} to=${String(query['to'])}`);
  }
  return { fromMs, toMs };
}

function parseBound(query: Record<string, unknown>, name: 'from' | 'to', edge: 'start' | 'end'): number {
  const value = query[name];
  const expected = `a UTC day like 2026-03-01 or an ISO timestamp with zone like 2026-03-01T12:00:00Z`;
  if (typeof value !== 'string' || value === '') {
    throw new HttpError(400, 'invalid_parameter', `"${name}" is required: ${expected}`);
  }
  if (DATE.test(value)) {
    const dayStart = calendarDayStart(value);
    if (dayStart !== null) return edge === 'start' ? dayStart : dayStart + DAY_MS;
  } else if (TIMESTAMP.test(value)) {
    // Date.parse rolls 2026-02-30T… over into March: the day must exist, as for a day bound.
    const instant = Date.parse(value);
    if (!Number.isNaN(instant) && calendarDayStart(value.slice(0, 10)) !== null) return instant;
  }
  throw new HttpError(400, 'invalid_parameter', `"${name}" must be ${expected}, got ${JSON.stringify(value)}`);
}

/** UTC midnight of a YYYY-MM-DD day, or null when the calendar has no such day (2026-02-30). */
function calendarDayStart(day: string): number | null {
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(dayStart) && new Date(dayStart).toISOString().startsWith(day) ? dayStart : null;
}
