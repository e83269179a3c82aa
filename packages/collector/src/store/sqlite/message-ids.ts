import { CANONICAL_UUID_GLOB, isCanonicalUuid, uuidBytes, uuidText } from './uuid-text.js';

/**
 * How `events.message_id` holds a message id (migration 040): a UUID in its
 * canonical lowercase text form — what the SDK sends (time-ordered version 7
 * UUIDs, packages/sdk/src/ids.ts), as do Segment's and RudderStack's
 * libraries (version 4) — as its 16 bytes, any other id as the text it came as.
 *
 * The 36-character text took 36 bytes in the row and again in the
 * `(write_key, message_id)` unique index; the bytes take 16 in each. The
 * mapping is one-to-one on the ids it encodes, and a BLOB never equals a TEXT
 * in SQLite, so the unique index still tells a retry from a new message
 * exactly: an uppercase UUID, which is not encoded, stays a different id, as
 * it was when both were text.
 */

/** The value the writer binds for `messageId`. */
export function storedMessageId(messageId: string): string | Buffer {
  return isCanonicalUuid(messageId) ? uuidBytes(messageId) : messageId;
}

/** The message id a stored `message_id` value stands for. */
export function messageIdFromStored(stored: string | Uint8Array): string {
  return typeof stored === 'string' ? stored : uuidText(stored);
}

/**
 * SQL true when `column` holds a canonical lowercase UUID as text (GLOB is
 * case-sensitive): the ids migration 040 turns into their bytes, the same
 * ones storedMessageId encodes.
 */
export function canonicalUuidTextSql(column: string): string {
  return `(typeof(${column}) = 'text' AND ${column} GLOB '${CANONICAL_UUID_GLOB}')`;
}
