import { isCanonicalUuid, uuidBytes, uuidText } from './uuid-text.js';

/**
 * How the SQLite store keeps session and conversation ids (migration 041):
 * a canonical lowercase UUID, what the SDK makes for both (time-ordered
 * version 7 UUIDs, packages/sdk/src/ids.ts), as `~` and its 16 bytes in
 * base64url, 23 characters instead of 36; any other id as the text it came as,
 * with one more `~` in front when it starts with `~`.
 *
 * These ids are in every event row, in the turn indexes and in the
 * per-session and per-conversation rollups, so the 13 characters saved are
 * paid back many times per event. They stay TEXT, unlike message ids
 * (message-ids.ts, bytes): the fold groups and looks up rows by them in
 * JavaScript (Map keys, composite string keys), where a Buffer would compare
 * by identity, and SQL compares them with each other only, never with a
 * constant.
 *
 * The mapping is one-to-one: an encoded UUID is `~` followed by a base64url
 * character, never by `~`; an escaped id starts with `~~`; any other stored
 * value does not start with `~` and is the id itself. So grouping, joins and
 * COUNT(DISTINCT) give what they gave on the ids as sent, and an uppercase
 * UUID, which is not encoded, stays a different id from its lowercase form.
 * Whatever takes an id from outside (ingest, a filter, a path) stores it with
 * `storedId`, and whatever hands one out reads it with `idFromStored`.
 */

const MARK = '~';
/** Base64url characters of 16 bytes, unpadded. */
const ENCODED_LENGTH = 22;

/** The stored form of a session or conversation id as sent. */
export function storedId(id: string): string {
  if (isCanonicalUuid(id)) return MARK + uuidBytes(id).toString('base64url');
  return id.startsWith(MARK) ? MARK + id : id;
}

/** storedId of an optional id. */
export function storedIdOrNull(id: string | null): string | null {
  return id === null ? null : storedId(id);
}

/** The id as sent of a stored session or conversation id. */
export function idFromStored(stored: string): string {
  if (!stored.startsWith(MARK)) return stored;
  if (stored.startsWith(MARK, 1)) return stored.slice(1);
  if (stored.length !== ENCODED_LENGTH + 1) throw new Error(`stored id ${JSON.stringify(stored)} is neither an id nor an encoded UUID (migration 041)`);
  return uuidText(Buffer.from(stored.slice(1), 'base64url'));
}

/** idFromStored of an optional stored id. */
export function idFromStoredOrNull(stored: string | null): string | null {
  return stored === null ? null : idFromStored(stored);
}

/** A whole events row with its session and conversation ids as sent (the export, the copy to another engine). */
export function withIdsAsSent<Row extends { session_id: string | null; conversation_id: string | null }>(row: Row): Row {
  return { ...row, session_id: idFromStoredOrNull(row.session_id), conversation_id: idFromStoredOrNull(row.conversation_id) };
}
