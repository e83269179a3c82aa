/** Milliseconds in a calendar day of 24 hours (local days may have 23 or 25). */
export const DAY_MS = 86_400_000;

/**
 * A calendar date as a day number: days since 1970-01-01 on the local
 * calendar (2026-03-08 is 20520 in every zone). Integers make ranges and
 * "date + N" arithmetic trivial and engine-neutral.
 */
export type LocalDay = number;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2026-03-08` → 20520, or null when the text is not a real calendar date. */
export function parseLocalDay(text: string): LocalDay | null {
  const match = ISO_DATE.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2026-02-30 over to March; a round trip rejects it.
  if (formatLocalDay(ms / DAY_MS) !== text) return null;
  return ms / DAY_MS;
}

/** 20520 → `2026-03-08`. */
export function formatLocalDay(day: LocalDay): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `first` to `last`, inclusive. */
export function daysBetween(first: LocalDay, last: LocalDay): LocalDay[] {
  const days: LocalDay[] = [];
  for (let day = first; day <= last; day += 1) days.push(day);
  return days;
}
