/**
 * Segment's clock-skew correction: the client's clock may be wrong, but the
 * interval between `timestamp` and `sentAt` on that clock is right, so
 * timestamp = receivedAt − (sentAt − originalTimestamp).
 */
export interface EventTimes {
  timestamp: number;
  originalTimestamp: number | null;
  sentAt: number | null;
}

export function correctEventTime(
  receivedAt: number,
  clientTimestamp: string | undefined,
  sentAt: string | undefined,
): EventTimes {
  const original = clientTimestamp === undefined ? null : Date.parse(clientTimestamp);
  const sent = sentAt === undefined ? null : Date.parse(sentAt);
  if (original === null) return { timestamp: receivedAt, originalTimestamp: null, sentAt: sent };
  if (sent === null) return { timestamp: original, originalTimestamp: original, sentAt: null };
  return { timestamp: receivedAt - (sent - original), originalTimestamp: original, sentAt: sent };
}
