/**
 * Canonical lowercase UUID text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex
 * digits a–f), as the SDK and Segment's and RudderStack's libraries make ids:
 * the ids the store keeps in a shorter form (message-ids.ts,
 * session-conversation-ids.ts).
 */

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The groups of hex digits a canonical UUID's text separates by dashes. */
const GROUP_LENGTHS = [8, 4, 4, 4, 12] as const;

export function isCanonicalUuid(text: string): boolean {
  return CANONICAL_UUID.test(text);
}

/** The 16 bytes of a canonical UUID's text. */
export function uuidBytes(text: string): Buffer {
  return Buffer.from(text.replaceAll('-', ''), 'hex');
}

/** The canonical text of 16 bytes. */
export function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let offset = 0;
  return GROUP_LENGTHS.map((length) => hex.slice(offset, (offset += length))).join('-');
}

/** A GLOB pattern (case-sensitive) that matches canonical UUID text. */
export const CANONICAL_UUID_GLOB = GROUP_LENGTHS.map((length) => '[0-9a-f]'.repeat(length)).join('-');
