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
 * known beforehand, then turned to the platform's byte order in one pass:
 * one copy per byte, where concatenating the lists first and then viewing
 * them copies every byte twice or more.
 */
export class Float64ValuesConcat {
  readonly #bytes: Buffer;
  #filled = 0;

  constructor(totalBytes: number) {
    if (totalBytes % VALUE_BYTES !== 0) throw new RangeError(`value lists hold whole 8-byte values, got ${totalBytes} bytes`);
    this.#bytes = Buffer.from(new ArrayBuffer(totalBytes));
  }

  /** Copies one list (big-endian binary64) after the previous ones. */
  append(list: Uint8Array): void {
    if (this.#filled + list.length > this.#bytes.length) {
      throw new RangeError(`value lists hold more than the ${this.#bytes.length} bytes announced`);
    }
    this.#bytes.set(list, this.#filled);
    this.#filled += list.length;
  }

  /** The values of every list appended, in order; call once, after the last append. */
  values(): Float64Array {
    if (this.#filled !== this.#bytes.length) {
      throw new RangeError(`value lists hold ${this.#filled} of the ${this.#bytes.length} bytes announced`);
    }
    return readFloat64Values(this.#bytes);
  }
}
