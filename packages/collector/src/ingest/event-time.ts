/**
 * Segment's clock-skew correction: the client's clock may be wrong, but the
 * interval between `timestamp` and `sentAt` on that clock is right, so
 * timestamp = receivedAt − (sentAt − originalTimestamp).
 *
 * A corrected time that cannot be true (more than 23 hours ahead of the
 * collector's clock, before 2000, or past what a Date can hold) is replaced
 * by receivedAt, as Segment and PostHog do: one broken client clock must not
 * put events in a year no metric can render. The client's value stays in
 * `originalTimestamp`.
 */
export interface EventTimes {
  timestamp: number;
  originalTimestamp: number | null;
  sentAt: number | null;
  /** Set when the corrected time was implausible and receivedAt was stored instead. */
  implausible: string | null;
}

/** Corrected times this far ahead of receivedAt are a wrong clock (time zones span 26 h; Segment allows ~23 h). */
export const MAX_FUTURE_SKEW_MS = 23 * 60 * 60 * 1000;
/** No analytics event predates this. */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
/** Largest epoch ms a JavaScript Date can represent (±100,000,000 days). */
const LARGEST_DATE_MS = 8.64e15;

export function correctEventTime(
  receivedAt: number,
  clientTimestamp: string | undefined,
  sentAt: string | undefined,
): EventTimes {
  const original = representable(clientTimestamp === undefined ? null : Date.parse(clientTimestamp));
  const sent = representable(sentAt === undefined ? null : Date.parse(sentAt));
  if (original === null) return { timestamp: receivedAt, originalTimestamp: null, sentAt: sent, implausible: null };
  const corrected = sent === null ? original : receivedAt - (sent - original);
  const implausible = implausibility(corrected, receivedAt);
  return { timestamp: implausible === null ? corrected : receivedAt, originalTimestamp: original, sentAt: sent, implausible };
}

function implausibility(corrected: number, receivedAt: number): string | null {
  if (corrected > receivedAt + MAX_FUTURE_SKEW_MS) return 'is more than 23 hours in the future; stored as the time received';
  if (corrected < EARLIEST_PLAUSIBLE_MS) return 'is before 2000; stored as the time received';
  return null;
}

function representable(ms: number | null): number | null {
  return ms !== null && Number.isFinite(ms) && Math.abs(ms) <= LARGEST_DATE_MS ? ms : null;
}
