/**
 * The format of the lists the background fold writes in JavaScript
 * (migration 046): the per-session, per-conversation and per-user cost lists
 * of each quarter-hour (quarter-lists.ts), the activity steps, the per-user
 * cost lists of each week and the session durations of each day, and so the
 * day packs made of quarter lists (quarter-list-days.ts).
 *
 * A list is the byte FORMAT_MARK, then each value as a LEB128 varint (seven
 * bits per byte, low bits first): an integer v with |v| ≤ 2^50 as its zigzag
 * code times two — 0, -1, 1, -2… as 0, 2, 4, 6… — and any other number
 * (fractions, -0, NaN, infinities, larger integers) as the varint 1
 * followed by its big-endian binary64. Every value reads back as the same
 * double.
 *
 * Nearly every value of these lists is a small integer (user ordinals,
 * counts, durations in ms, token sums); as binary64 each took eight bytes.
 * Measured on every list of the 10M-event bench file (2026-12-05), bytes per
 * stored event 8-byte values → this format: session lists 3.04 → 0.74,
 * conversation lists and their day packs 4.16 → 1.02, activity steps and
 * their day packs 2.14 → 0.38, user cost lists 4.92 → 1.98 and their week
 * lists 1.74 → 0.72 (costs are fractions: nine bytes each), session-day
 * durations 0.73 → 0.26.
 *
 * The mark is what no list in the format before could start with (its first
 * value is an ordinal, a step or a duration, never negative, whose first
 * byte is below 0x80), so migration 046 tells the lists it converted from the
 * ones it did not, and a reader that meets a list without it says so instead
 * of reading garbage.
 */
export const FORMAT_MARK = 0xff;

/** The varint that announces a binary64. */
const FLOAT_TAG = 1;
/** The largest magnitude of an integer written as a varint: its tag, 4·|v|, stays a safe integer. */
const MAX_VARINT_INTEGER = 2 ** 50;
/** A value takes at most the tag byte and eight bytes (a varint integer at most eight: 2^52 < 2^56). */
const MAX_VALUE_BYTES = 9;
const BINARY64_BYTES = 8;
/** Varint bytes whose sum still fits an int32, so the common case stays in integer arithmetic. */
const SMALL_TAG_LIMIT = 2 ** 31;

/** A list being written, of at most `maxValues` values. */
export class CompactValuesWriter {
  readonly #bytes: Buffer;
  #length = 1;

  constructor(maxValues: number) {
    this.#bytes = Buffer.allocUnsafe(1 + maxValues * MAX_VALUE_BYTES);
    this.#bytes[0] = FORMAT_MARK;
  }

  add(value: number): void {
    if (Number.isInteger(value) && Math.abs(value) <= MAX_VARINT_INTEGER && !Object.is(value, -0)) {
      this.#varint(value >= 0 ? value * 4 : -value * 4 - 2);
    } else {
      this.#varint(FLOAT_TAG);
      this.#length = this.#bytes.writeDoubleBE(value, this.#length);
    }
  }

  /** The list so far: a view of the writer's buffer (SQLite copies a bound value). */
  bytes(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }

  #varint(tag: number): void {
    const bytes = this.#bytes;
    let rest = tag;
    if (rest < SMALL_TAG_LIMIT) {
      while (rest >= 0x80) {
        bytes[this.#length++] = (rest & 0x7f) | 0x80;
        rest >>>= 7;
      }
    } else {
      while (rest >= 0x80) {
        bytes[this.#length++] = (rest % 0x80) | 0x80;
        rest = Math.floor(rest / 0x80);
      }
    }
    bytes[this.#length++] = rest;
  }
}

/** `values` as one list in this format. */
export function writeCompactValues(values: ArrayLike<number>): Buffer {
  const writer = new CompactValuesWriter(values.length);
  for (let index = 0; index < values.length; index += 1) writer.add(values[index] as number);
  return writer.bytes();
}

/** A list in this format is malformed: a writer bug or a damaged file, never data to read on. */
export class CompactValuesError extends RangeError {
  constructor(problem: string) {
    super(`a compact value list (compact-values.ts, migration 046) ${problem}`);
    this.name = 'CompactValuesError';
  }
}

/**
 * Decoding scratch space, grown as needed: a list's values are decoded here
 * and copied out once, into an array of their exact length.
 */
let scratch = new Float64Array(1024);

/** The values of one list in this format. */
export function readCompactValues(bytes: Uint8Array): Float64Array {
  if (bytes[0] !== FORMAT_MARK) {
    throw new CompactValuesError(`starts with ${bytes.length === 0 ? 'nothing' : `byte 0x${(bytes[0] as number).toString(16)}`}, not the mark 0xff: a list of the format before migration 046?`);
  }
  // Each value takes one byte at least.
  if (scratch.length < bytes.length) scratch = new Float64Array(Math.max(bytes.length, scratch.length * 2));
  const values = scratch;
  const end = bytes.length;
  let binary64: DataView | undefined;
  let count = 0;
  let at = 1;
  while (at < end) {
    let byte = bytes[at++] as number;
    let tag = byte;
    if (byte >= 0x80) {
      tag = byte & 0x7f;
      let scale = 0x80;
      do {
        if (at >= end) throw new CompactValuesError('ends inside a value');
        if (scale > 2 ** 49) throw new CompactValuesError(`holds a varint longer than ${MAX_VALUE_BYTES - 1} bytes at byte ${at}`);
        byte = bytes[at++] as number;
        tag += (byte & 0x7f) * scale;
        scale *= 0x80;
      } while (byte >= 0x80);
    }
    if (tag === FLOAT_TAG) {
      if (at + BINARY64_BYTES > end) throw new CompactValuesError('ends inside a binary64');
      binary64 ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      values[count++] = binary64.getFloat64(at);
      at += BINARY64_BYTES;
    } else if (tag % 2 === 1) {
      throw new CompactValuesError(`holds the unknown tag ${tag} at byte ${at}`);
    } else {
      const zigzag = tag / 2;
      values[count++] = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    }
  }
  return values.slice(0, count);
}
