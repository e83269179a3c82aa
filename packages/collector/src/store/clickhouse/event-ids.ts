/**
 * Event ids are opaque strings to callers. ClickHouse has no row ids; an
 * event is known by (write key, message id), which is what an id encodes:
 * base64url of the two joined by a newline (neither can hold one that
 * matters: a write key is a token, and a message id with a newline still
 * round-trips because only the first newline splits).
 */
export interface EventKey {
  writeKey: string;
  messageId: string;
}

export function toEventId(key: EventKey): string {
  return Buffer.from(`${key.writeKey}\n${key.messageId}`, 'utf8').toString('base64url');
}

/** The key behind an id this store handed out; throws a RangeError for any other string. */
export function toEventKey(eventId: string): EventKey {
  const text = /^[A-Za-z0-9_-]+$/.test(eventId) ? Buffer.from(eventId, 'base64url').toString('utf8') : '';
  const newline = text.indexOf('\n');
  if (newline <= 0) {
    throw new RangeError(`event id must be an id this ClickHouse store handed out (base64url of write key and message id), got ${JSON.stringify(eventId)}`);
  }
  return { writeKey: text.slice(0, newline), messageId: text.slice(newline + 1) };
}
