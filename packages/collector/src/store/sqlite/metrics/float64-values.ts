import { endianness } from 'node:os';

/** Bytes per value: an IEEE-754 binary64. */
const VALUE_BYTES = 8;
const PLATFORM_IS_BIG_ENDIAN = endianness() === 'BE';

/**
 * The values of a binary value list (migration 010): big-endian binary64,
 * eight bytes each, as SQLite returns them, possibly several rows' lists
 * concatenated. Takes `bytes` over: they are swapped to the platform's byte
 * order in place (Buffer.swap64 runs at memory speed) and viewed rather than
 * copied, unless better-sqlite3 handed out a buffer that is not 8-byte
 * aligned, which a Float64Array cannot view.
 */
export function readFloat64Values(bytes: Buffer): Float64Array {
  if (bytes.length % VALUE_BYTES !== 0) {
    throw new RangeError(`a value list holds whole 8-byte values, got ${bytes.length} bytes`);
  }
  if (!PLATFORM_IS_BIG_ENDIAN && bytes.length > 0) bytes.swap64();
  if (bytes.byteOffset % VALUE_BYTES === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / VALUE_BYTES);
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  return new Float64Array(aligned.buffer);
}
