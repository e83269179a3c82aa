/**
 * A time-ordered UUID (version 7, RFC 9562): the first 48 bits are the
 * milliseconds since 1970, the other 74 random (`crypto.getRandomValues`,
 * which works in every context, secure or not, and in Node).
 *
 * The SDK names messages, sessions, conversations, responses and browsers
 * with these. Ids made one after another sort one after another, so a
 * collector's indexes on them (the message id that deduplicates retries, the
 * per-session and per-conversation rows) grow at their end instead of taking
 * each new id into a random page: with random (version 4) ids the message-id
 * index alone was 28% of the pages an ingest run wrote (bench/README.md).
 * The 74 random bits keep two ids of the same millisecond apart as surely as
 * a version 4 id's 122 keep any two apart in practice, and the time they
 * carry tells the collector nothing an event's own timestamp does not.
 */
export function uuid(nowMs: number = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let time = nowMs;
  for (let index = 5; index >= 0; index -= 1) {
    bytes[index] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
