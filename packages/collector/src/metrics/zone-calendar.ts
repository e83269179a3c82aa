import { DAY_MS, type LocalDay } from './local-day.js';

/** From `fromMs` on (until the next segment), local time = UTC + `offsetMs`. */
export interface OffsetSegment {
  fromMs: number;
  offsetMs: number;
}

/** Offsets change at most a few times a year; sampling every 6 hours cannot miss a change that lasts longer. */
const SAMPLE_STEP_MS = 6 * 3_600_000;
/** Transitions happen on whole minutes. */
const MINUTE_MS = 60_000;

/**
 * Calendar days and hours of one IANA time zone over a window of time,
 * DST-correct: the zone's UTC offset is piecewise constant, so the window is
 * described by a few offset segments computed once with Intl. Engines turn
 * the segments into a CASE expression (SQL) or a lookup (JS).
 */
export class ZoneCalendar {
  readonly timeZone: string;
  /** Sorted; the first segment also applies before its `fromMs`. */
  readonly segments: readonly OffsetSegment[];

  constructor(timeZone: string, windowStartMs: number, windowEndMs: number) {
    this.timeZone = timeZone;
    this.segments = findSegments(createOffsetReader(timeZone), windowStartMs, windowEndMs);
  }

  /**
   * The calendar of another one's zone and segments, as they cross a thread
   * boundary (structured cloning keeps the data, not the class), without
   * asking Intl again.
   */
  static fromSegments(timeZone: string, segments: readonly OffsetSegment[]): ZoneCalendar {
    const calendar = Object.create(ZoneCalendar.prototype) as { timeZone: string; segments: readonly OffsetSegment[] };
    calendar.timeZone = timeZone;
    calendar.segments = segments;
    return calendar as ZoneCalendar;
  }

  offsetAt(ms: number): number {
    let offset = this.segments[0]?.offsetMs ?? 0;
    for (const segment of this.segments) {
      if (segment.fromMs > ms) break;
      offset = segment.offsetMs;
    }
    return offset;
  }

  /** The local calendar day an instant falls on. */
  dayOf(ms: number): LocalDay {
    return Math.floor((ms + this.offsetAt(ms)) / DAY_MS);
  }

  /** The local hour (0–23) an instant falls in. */
  hourOf(ms: number): number {
    const local = ms + this.offsetAt(ms);
    return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 3_600_000);
  }

  /**
   * The first instant of a local day. Usually local midnight; when a DST jump
   * skips midnight (e.g. America/Santiago), the first instant that exists.
   */
  startOfDay(day: LocalDay): number {
    const localMidnight = day * DAY_MS;
    for (let index = 0; index < this.segments.length; index += 1) {
      const segment = this.segments[index] as OffsetSegment;
      const next = this.segments[index + 1];
      const candidate = localMidnight - segment.offsetMs;
      const startsInSegment = index === 0 || candidate >= segment.fromMs;
      if (startsInSegment && (next === undefined || candidate < next.fromMs)) return candidate;
      // Midnight fell into the gap of a forward jump: the day starts at the jump.
      if (index > 0 && candidate < segment.fromMs && this.dayOf(segment.fromMs) === day) return segment.fromMs;
    }
    return localMidnight;
  }
}

/** Throws RangeError for a zone name Intl does not know. */
export function createOffsetReader(timeZone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (ms) => {
    const fields: Record<string, number> = {};
    for (const part of format.formatToParts(ms)) fields[part.type] = Number(part.value);
    const wall = Date.UTC(fields['year'] ?? 1970, (fields['month'] ?? 1) - 1, fields['day'] ?? 1, fields['hour'] ?? 0, fields['minute'] ?? 0, fields['second'] ?? 0);
    return wall - Math.floor(ms / 1000) * 1000;
  };
}

/** True when Intl knows the IANA zone name. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    createOffsetReader(timeZone);
    return true;
  } catch {
    return false;
  }
}

function findSegments(offsetAt: (ms: number) => number, startMs: number, endMs: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [{ fromMs: startMs, offsetMs: offsetAt(startMs) }];
  let previousMs = startMs;
  let previousOffset = segments[0]?.offsetMs ?? 0;
  for (let ms = startMs + SAMPLE_STEP_MS; ms < endMs + SAMPLE_STEP_MS; ms += SAMPLE_STEP_MS) {
    const offset = offsetAt(ms);
    if (offset !== previousOffset) {
      segments.push({ fromMs: findTransition(offsetAt, previousMs, ms, previousOffset), offsetMs: offset });
      previousOffset = offset;
    }
    previousMs = ms;
  }
  return segments;
}

/** Binary search for the first minute in (low, high] whose offset differs from `before`. */
function findTransition(offsetAt: (ms: number) => number, low: number, high: number, before: number): number {
  let lo = Math.floor(low / MINUTE_MS);
  let hi = Math.ceil(high / MINUTE_MS);
  while (hi - lo > 1) {
    const middle = Math.floor((lo + hi) / 2);
    if (offsetAt(middle * MINUTE_MS) === before) lo = middle;
    else hi = middle;
  }
  return hi * MINUTE_MS;
}
