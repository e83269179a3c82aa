import { describe, expect, it } from 'vitest';
import { formatLocalDay, parseLocalDay } from './local-day.js';
import { ZoneCalendar } from './zone-calendar.js';

const DAY_MS = 86_400_000;

function calendarAround(timeZone: string, date: string): ZoneCalendar {
  const day = parseLocalDay(date) as number;
  return new ZoneCalendar(timeZone, (day - 3) * DAY_MS, (day + 3) * DAY_MS);
}

function startOf(calendar: ZoneCalendar, date: string): string {
  return new Date(calendar.startOfDay(parseLocalDay(date) as number)).toISOString();
}

describe('ZoneCalendar', () => {
  it('makes the spring-forward day of New York 23 hours long', () => {
    const calendar = calendarAround('America/New_York', '2026-03-08');
    expect(startOf(calendar, '2026-03-08')).toBe('2026-03-08T05:00:00.000Z');
    expect(startOf(calendar, '2026-03-09')).toBe('2026-03-09T04:00:00.000Z');
    expect(calendar.segments.map((segment) => segment.offsetMs)).toEqual([-5 * 3_600_000, -4 * 3_600_000]);
    expect(calendar.segments[1]?.fromMs).toBe(Date.parse('2026-03-08T07:00:00Z'));
  });

  it('makes the fall-back day of New York 25 hours long', () => {
    const calendar = calendarAround('America/New_York', '2026-11-01');
    expect(calendar.startOfDay(parseLocalDay('2026-11-02') as number) - calendar.startOfDay(parseLocalDay('2026-11-01') as number)).toBe(25 * 3_600_000);
  });

  it('starts the day at 01:00 when DST skips midnight (America/Santiago)', () => {
    const calendar = calendarAround('America/Santiago', '2026-09-06');
    expect(startOf(calendar, '2026-09-06')).toBe('2026-09-06T04:00:00.000Z');
    expect(startOf(calendar, '2026-09-05')).toBe('2026-09-05T04:00:00.000Z');
  });

  it('handles offsets that are not whole hours', () => {
    const kathmandu = calendarAround('Asia/Kathmandu', '2026-03-01');
    expect(startOf(kathmandu, '2026-03-01')).toBe('2026-02-28T18:15:00.000Z');
    expect(kathmandu.hourOf(Date.parse('2026-02-28T18:15:00Z'))).toBe(0);
  });

  it('puts an instant on its local day and hour', () => {
    const tokyo = calendarAround('Asia/Tokyo', '2026-03-01');
    expect(formatLocalDay(tokyo.dayOf(Date.parse('2026-03-01T23:30:00Z')))).toBe('2026-03-02');
    expect(tokyo.hourOf(Date.parse('2026-03-01T23:30:00Z'))).toBe(8);
  });
});
