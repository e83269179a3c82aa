import { endianness } from 'node:os';
import { readInt32Values } from '../int32-values.js';

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

/**
 * The inverse of readFloat64Values: `values` as big-endian binary64, the
 * format of the lists. A copy, so that `values` stays readable.
 */
export function writeFloat64Values(values: Float64Array): Buffer {
  const bytes = Buffer.from(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  if (!PLATFORM_IS_BIG_ENDIAN && bytes.length > 0) bytes.swap64();
  return bytes;
}

/**
 * Several value lists copied one after another into one array of a size
 * known beforehand: each list turned to the platform's byte order in place
 * (its buffer is the reader's own) and copied once. Lists of integers may
 * come as little-endian int32 (migration 023's day lists), half the bytes,
 * converted by the copy itself.
 */
export class Float64ValuesConcat {
  readonly #values: Float64Array;
  #filled = 0;

  /** `totalBytes`: the size of every list to come as binary64. */
  constructor(totalBytes: number) {
    if (totalBytes % VALUE_BYTES !== 0) throw new RangeError(`value lists hold whole 8-byte values, got ${totalBytes} bytes`);
    this.#values = new Float64Array(totalBytes / VALUE_BYTES);
  }

  /** Copies one list of big-endian binary64 after the previous ones; takes `list` over (swapped in place). */
  append(list: Buffer): void {
    this.#copy(readFloat64Values(list));
  }

  /** Copies one list of little-endian int32 after the previous ones. */
  appendInt32(list: Buffer): void {
    this.#copy(readInt32Values(list));
  }

  #copy(values: Float64Array | Int32Array): void {
    if (this.#filled + values.length > this.#values.length) {
      throw new RangeError(`value lists hold more than the ${this.#values.length * VALUE_BYTES} bytes announced`);
    }
    this.#values.set(values, this.#filled);
    this.#filled += values.length;
  }

  /** The values of every list appended, in order; call once, after the last append. */
  values(): Float64Array {
    if (this.#filled !== this.#values.length) {
      throw new RangeError(`value lists hold ${this.#filled * VALUE_BYTES} of the ${this.#values.length * VALUE_BYTES} bytes announced`);
    }
    return this.#values;
  }
}
