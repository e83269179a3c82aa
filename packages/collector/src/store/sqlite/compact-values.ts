/**
 * The format of the lists the background fold writes in JavaScript
 * (migration 046): the per-session, per-conversation and per-user cost lists
 * of each quarter-hour (quarter-lists.ts), the activity steps, the per-user
 * cost lists of each week and the session durations of each day, and so the
 * day packs made of quarter lists (quarter-list-days.ts).
 *
 * A list is the byte FORMAT_MARK, the number of values as a LEB128 varint
 * (seven bits per byte, low bits first), then each value as a varint too: an
 * integer v with |v| ≤ 2^50 as its zigzag code times two — 0, -1, 1, -2… as
 * 0, 2, 4, 6… — and any other number (fractions, -0, NaN, infinities, larger
 * integers) as the varint 1 followed by its big-endian binary64. Every value
 * reads back as the same double. The count lets a reader decode straight into
 * an array of the right size: counting the values by a pass over the bytes
 * took as long as decoding them.
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

/** The varint that announces a binary64 (written in one byte only). */
const FLOAT_TAG = 1;
/** The largest magnitude of an integer written as a varint: its tag, 4·|v|, stays a safe integer. */
const MAX_VARINT_INTEGER = 2 ** 50;
/** A varint of a safe integer takes at most eight bytes (2^53 < 2^56). */
const MAX_VARINT_BYTES = 8;
/** A value takes at most the tag byte and a binary64. */
const MAX_VALUE_BYTES = 9;
const BINARY64_BYTES = 8;
/** Room before the values for the mark and the count, written last. */
const HEADER_ROOM = 1 + MAX_VARINT_BYTES;

/** A list being written, of at most `maxValues` values. */
export class CompactValuesWriter {
  readonly #bytes: Buffer;
  #length = HEADER_ROOM;
  #count = 0;

  constructor(maxValues: number) {
    this.#bytes = Buffer.allocUnsafe(HEADER_ROOM + maxValues * MAX_VALUE_BYTES);
  }

  add(value: number): void {
    if (Number.isInteger(value) && Math.abs(value) <= MAX_VARINT_INTEGER && !Object.is(value, -0)) {
      this.#length = writeVarint(this.#bytes, this.#length, value >= 0 ? value * 4 : -value * 4 - 2);
    } else {
      this.#bytes[this.#length++] = FLOAT_TAG;
      this.#length = this.#bytes.writeDoubleBE(value, this.#length);
    }
    this.#count += 1;
  }

  /** The list so far: a view of the writer's buffer (SQLite copies a bound value). */
  bytes(): Buffer {
    let countBytes = 1;
    for (let rest = this.#count; rest >= 0x80; rest = Math.floor(rest / 0x80)) countBytes += 1;
    const start = HEADER_ROOM - countBytes - 1;
    this.#bytes[start] = FORMAT_MARK;
    writeVarint(this.#bytes, start + 1, this.#count);
    return this.#bytes.subarray(start, this.#length);
  }
}

/** Writes `value` (a safe non-negative integer) as a varint at `at`; returns the offset after it. */
function writeVarint(bytes: Buffer, at: number, value: number): number {
  let offset = at;
  let rest = value;
  while (rest >= 0x80) {
    bytes[offset++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  bytes[offset++] = rest;
  return offset;
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

/** The values of one list in this format. */
export function readCompactValues(bytes: Uint8Array): Float64Array {
  return readCompactLists([bytes])[0] as Float64Array;
}

/**
 * The values of several lists in this format, each a view into one array:
 * a typed array of its own per list cost more than decoding it (8,640 lists
 * of 300 values, like the 10M-event bench file's conversation lists over 90
 * days: 10 ms to allocate them, 7 ms to decode, 2026-12-05).
 */
export function readCompactLists(lists: readonly Uint8Array[]): Float64Array[] {
  const headers = lists.map(readHeader);
  const values = new Float64Array(headers.reduce((total, header) => total + header.count, 0));
  let start = 0;
  return lists.map((bytes, index) => {
    const { count, valuesAt } = headers[index] as ListHeader;
    decodeInto(bytes, valuesAt, values.subarray(start, start + count));
    start += count;
    return values.subarray(start - count, start);
  });
}

interface ListHeader {
  count: number;
  /** The offset of the first value. */
  valuesAt: number;
}

function readHeader(bytes: Uint8Array): ListHeader {
  if (bytes[0] !== FORMAT_MARK) {
    throw new CompactValuesError(`starts with ${bytes.length === 0 ? 'nothing' : `byte 0x${(bytes[0] as number).toString(16)}`}, not the mark 0xff: a list of the format before migration 046?`);
  }
  let count = 0;
  let at = 1;
  for (let scale = 1; ; scale *= 0x80) {
    if (at >= bytes.length) throw new CompactValuesError('ends inside its count');
    if (at > MAX_VARINT_BYTES) throw new CompactValuesError(`has a count longer than ${MAX_VARINT_BYTES} bytes`);
    const byte = bytes[at++] as number;
    count += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
  }
  // Each value takes a byte at least: a larger count is damage, and would allocate for nothing.
  if (count > bytes.length - at) throw new CompactValuesError(`counts ${count} values in ${bytes.length - at} bytes`);
  return { count, valuesAt: at };
}

/** Decodes the values after `start` into `values`, which holds exactly as many as the list counts. */
function decodeInto(bytes: Uint8Array, start: number, values: Float64Array): void {
  const end = bytes.length;
  let binary64: DataView | undefined;
  let at = start;
  for (let index = 0; index < values.length; index += 1) {
    if (at >= end) throw new CompactValuesError(`ends after ${index} of its ${values.length} values`);
    // Up to four varint bytes (most values: ordinals, counts, durations) in integer arithmetic, unrolled.
    let byte = bytes[at++] as number;
    let tag = byte & 0x7f;
    if (byte >= 0x80) {
      byte = bytes[at++] as number;
      tag |= (byte & 0x7f) << 7;
      if (byte >= 0x80) {
        byte = bytes[at++] as number;
        tag |= (byte & 0x7f) << 14;
        if (byte >= 0x80) {
          byte = bytes[at++] as number;
          tag |= (byte & 0x7f) << 21;
          if (byte >= 0x80) ({ tag, at } = longTag(bytes, tag, at));
        }
      }
      if (at > end) throw new CompactValuesError(`ends inside value ${index}`);
    } else if (tag === FLOAT_TAG) {
      if (at + BINARY64_BYTES > end) throw new CompactValuesError(`ends inside value ${index}, a binary64`);
      binary64 ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      values[index] = binary64.getFloat64(at);
      at += BINARY64_BYTES;
      continue;
    }
    values[index] = integerOfTag(tag, index);
  }
  if (at !== end) throw new CompactValuesError(`holds ${end - at} bytes after its ${values.length} values`);
}

/** The rest of a tag longer than four bytes, in floating-point arithmetic (a tag stays below 2^53). */
function longTag(bytes: Uint8Array, low28: number, from: number): { tag: number; at: number } {
  let tag = low28;
  let at = from;
  let byte: number;
  let scale = 2 ** 28;
  do {
    if (at >= bytes.length) throw new CompactValuesError('ends inside a value');
    if (scale > 2 ** 49) throw new CompactValuesError(`holds a varint longer than ${MAX_VARINT_BYTES} bytes at byte ${at}`);
    byte = bytes[at++] as number;
    tag += (byte & 0x7f) * scale;
    scale *= 0x80;
  } while (byte >= 0x80);
  return { tag, at };
}

/** The integer of an even tag, whose zigzag code is tag / 2; an odd tag other than 1 (or 1 in several bytes) is none. */
function integerOfTag(tag: number, index: number): number {
  if (tag < 2 ** 31) {
    if ((tag & 1) === 1) throw new CompactValuesError(`holds the unknown tag ${tag} at value ${index}`);
    const zigzag = tag >>> 1;
    return (zigzag >>> 1) ^ -(zigzag & 1);
  }
  if (tag % 2 === 1) throw new CompactValuesError(`holds the unknown tag ${tag} at value ${index}`);
  const zigzag = tag / 2;
  return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
}
