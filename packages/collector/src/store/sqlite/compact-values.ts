/**
 * The format of the lists the background fold writes in JavaScript
 * (migration 046): the per-session, per-conversation and per-user cost lists
 * of each quarter-hour (quarter-lists.ts), the activity steps, the per-user
 * cost lists of each week and the session durations of each day, and so the
 * day packs made of quarter lists (quarter-list-days.ts).
 *
 * A list holds entries of a fixed number of values (its width: an ordinal
 * and a session's duration and message counts, a step and its users…),
 * stored column by column:
 *
 * - the byte FORMAT_MARK, the entry count as a LEB128 varint (seven bits per
 *   byte, low bits first), the width as one byte;
 * - per column, one byte saying how its values are stored, then the values:
 *   - 0–6: integers, as a base (the column's least value, as a varint of
 *     its zigzag code: 0, -1, 1, -2… as 0, 1, 2, 3…) and each value's
 *     distance above it in that many bytes, little-endian (none when every
 *     value equals the base);
 *   - FLOAT_COLUMN: anything else (fractions such as costs, -0, NaN,
 *     infinities, integers beyond 2^50 or spread over more than 2^48), each
 *     value as a little-endian binary64.
 *
 * Every value reads back as the same double. Nearly every value of these
 * lists is a small integer (user ordinals, counts, durations in ms, token
 * sums) that took eight bytes as a binary64, and one width per column keeps
 * reading a loop per column without a branch per value: a varint per value,
 * of about the same size, decoded at a third of the speed (2.6M values of
 * conversation lists: 18–25 against 8 ms, 2026-12-05).
 *
 * The mark is what no list in the format before could start with (its first
 * value is an ordinal, a step or a duration, never negative, whose first
 * byte as a big-endian binary64 is below 0x80), so migration 046 tells the
 * lists it converted from the ones it did not, and a reader that meets a
 * list without it says so instead of reading garbage.
 */
export const FORMAT_MARK = 0xff;

/** The column byte of a column of binary64 values. */
const FLOAT_COLUMN = 0xf8;
/** The widest integer column: distances below 2^48. */
const MAX_INTEGER_BYTES = 6;
/** The largest magnitude of an integer stored in an integer column, so that base + distance stays exact (< 2^51). */
const MAX_INTEGER = 2 ** 50;
const BINARY64_BYTES = 8;
/** A bound no list comes near (a quarter-hour or a week of one collector's entries), against a damaged count allocating for nothing. */
const MAX_LIST_VALUES = 2 ** 28;
/** A varint of a safe integer takes at most eight bytes (2^53 < 2^56). */
const MAX_VARINT_BYTES = 8;

/** A list being written, entry by entry, `width` values each. */
export class CompactValuesWriter {
  readonly #width: number;
  readonly #values: number[] = [];

  constructor(width: number) {
    if (!Number.isInteger(width) || width < 1 || width > 255) throw new RangeError(`a compact list's entries hold 1–255 values, not ${width}`);
    this.#width = width;
  }

  add(value: number): void {
    this.#values.push(value);
  }

  bytes(): Buffer {
    return writeCompactValues(this.#values, this.#width);
  }
}

/** `values`, entries of `width` values one after another, as one list in this format. */
export function writeCompactValues(values: ArrayLike<number>, width: number): Buffer {
  if (values.length % width !== 0) throw new RangeError(`a compact list of width ${width} cannot hold ${values.length} values`);
  const count = values.length / width;
  const parts: Buffer[] = [Buffer.from([FORMAT_MARK]), varint(count), Buffer.from([width])];
  for (let column = 0; column < width && count > 0; column += 1) parts.push(...columnParts(values, width, column, count));
  return Buffer.concat(parts);
}

/** One column's byte, base and values. */
function columnParts(values: ArrayLike<number>, width: number, column: number, count: number): Buffer[] {
  let least = Infinity;
  let most = -Infinity;
  let integers = true;
  for (let at = column; at < values.length; at += width) {
    const value = values[at] as number;
    if (!Number.isInteger(value) || Math.abs(value) > MAX_INTEGER || Object.is(value, -0)) {
      integers = false;
      break;
    }
    if (value < least) least = value;
    if (value > most) most = value;
  }
  const spread = most - least;
  if (!integers || spread >= 2 ** (8 * MAX_INTEGER_BYTES)) {
    const floats = Buffer.allocUnsafe(count * BINARY64_BYTES);
    for (let entry = 0; entry < count; entry += 1) floats.writeDoubleLE(values[entry * width + column] as number, entry * BINARY64_BYTES);
    return [Buffer.from([FLOAT_COLUMN]), floats];
  }
  let bytes = 0;
  while (spread >= 2 ** (8 * bytes)) bytes += 1;
  const distances = Buffer.allocUnsafe(count * bytes);
  if (bytes > 0) for (let entry = 0; entry < count; entry += 1) distances.writeUIntLE((values[entry * width + column] as number) - least, entry * bytes, bytes);
  return [Buffer.from([bytes]), varint(least >= 0 ? least * 2 : -least * 2 - 1), distances];
}

/** A non-negative safe integer as a varint. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A list in this format is malformed: a writer bug or a damaged file, never data to read on. */
export class CompactValuesError extends RangeError {
  constructor(problem: string) {
    super(`a compact value list (compact-values.ts, migration 046) ${problem}`);
    this.name = 'CompactValuesError';
  }
}

/** The values of one list in this format, entry after entry. */
export function readCompactValues(bytes: Uint8Array): Float64Array {
  return readCompactLists([bytes])[0] as Float64Array;
}

/**
 * The values of several lists in this format, decoded straight into place:
 * consecutive lists share an array of up to GROUP_VALUES values, each list a
 * view into it. An array per list cost as much as decoding it (8,640 lists
 * of 300 values, like 90 days of the 10M-event bench file's conversation
 * lists), and one array for all took longer still: 53 MB of zeroed memory
 * freshly mapped on every read, 146 ms against 8 ms in 64 KB arrays to
 * allocate and fill 6.6M values (2026-12-05).
 */
export function readCompactLists(lists: readonly Uint8Array[]): Float64Array[] {
  const headers = lists.map(readHeader);
  const decoded: Float64Array[] = [];
  for (let first = 0; first < lists.length; ) {
    let end = first;
    let size = 0;
    do {
      const { count, width } = headers[end] as ListHeader;
      size += count * width;
      end += 1;
    } while (end < lists.length && size + valuesOf(headers[end] as ListHeader) <= GROUP_VALUES);
    const values = new Float64Array(size);
    let start = 0;
    for (let index = first; index < end; index += 1) {
      const header = headers[index] as ListHeader;
      decodeColumns(lists[index] as Uint8Array, header, values, start);
      decoded.push(values.subarray(start, start + valuesOf(header)));
      start += valuesOf(header);
    }
    first = end;
  }
  return decoded;
}

/** Values per array of readCompactLists at most, unless one list holds more: 64 KB, below glibc's threshold for a mapping of its own. */
const GROUP_VALUES = 8_192;

const valuesOf = ({ count, width }: ListHeader): number => count * width;

interface ListHeader {
  count: number;
  width: number;
  /** The offset of the first column's byte. */
  columnsAt: number;
}

function readHeader(bytes: Uint8Array): ListHeader {
  if (bytes[0] !== FORMAT_MARK) {
    throw new CompactValuesError(`starts with ${bytes.length === 0 ? 'nothing' : `byte 0x${(bytes[0] as number).toString(16)}`}, not the mark 0xff: a list of the format before migration 046?`);
  }
  const { value: count, at } = readVarint(bytes, 1, 'its count');
  if (at >= bytes.length) throw new CompactValuesError('ends before its width');
  const width = bytes[at] as number;
  if (width === 0) throw new CompactValuesError('has entries of no values');
  // A column takes a byte at least: a larger list is damage, and would allocate for nothing.
  if (count > 0 && width > bytes.length - at - 1) throw new CompactValuesError(`has ${width} columns in ${bytes.length - at - 1} bytes`);
  if (count * width > MAX_LIST_VALUES) throw new CompactValuesError(`counts ${count} entries of ${width} values, more than ${MAX_LIST_VALUES} values`);
  return { count, width, columnsAt: at + 1 };
}

function readVarint(bytes: Uint8Array, from: number, what: string): { value: number; at: number } {
  let value = 0;
  let at = from;
  for (let scale = 1; ; scale *= 0x80) {
    if (at >= bytes.length) throw new CompactValuesError(`ends inside ${what}`);
    if (at - from >= MAX_VARINT_BYTES) throw new CompactValuesError(`has ${what} longer than ${MAX_VARINT_BYTES} bytes`);
    const byte = bytes[at++] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, at };
  }
}

/** Decodes a list's columns into `values` from `start` on, entry after entry. */
function decodeColumns(bytes: Uint8Array, { count, width, columnsAt }: ListHeader, values: Float64Array, start: number): void {
  let at = columnsAt;
  const end = start + count * width;
  for (let column = 0; column < width && count > 0; column += 1) {
    if (at >= bytes.length) throw new CompactValuesError(`ends before column ${column}`);
    const kind = bytes[at++] as number;
    if (kind === FLOAT_COLUMN) {
      if (at + count * BINARY64_BYTES > bytes.length) throw new CompactValuesError(`ends inside column ${column}`);
      const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * BINARY64_BYTES);
      for (let index = start + column, offset = 0; index < end; index += width, offset += BINARY64_BYTES) values[index] = view.getFloat64(offset, true);
      at += count * BINARY64_BYTES;
      continue;
    }
    if (kind > MAX_INTEGER_BYTES) throw new CompactValuesError(`has the unknown column kind ${kind} at column ${column}`);
    const base = readVarint(bytes, at, `the base of column ${column}`);
    const zigzag = base.value;
    const least = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    at = base.at;
    if (at + count * kind > bytes.length) throw new CompactValuesError(`ends inside column ${column}`);
    decodeIntegers(bytes, at, kind, least, values, start + column, end, width);
    at += count * kind;
  }
  if (at !== bytes.length) throw new CompactValuesError(`holds ${bytes.length - at} bytes after its ${count} entries`);
}

/** One integer column: `least` plus each value's distance, `bytes` bytes little-endian, into every `width`-th slot. */
function decodeIntegers(source: Uint8Array, from: number, bytes: number, least: number, values: Float64Array, first: number, end: number, width: number): void {
  let at = from;
  switch (bytes) {
    case 0:
      for (let index = first; index < end; index += width) values[index] = least;
      return;
    case 1:
      for (let index = first; index < end; index += width) values[index] = least + (source[at++] as number);
      return;
    case 2:
      for (let index = first; index < end; index += width, at += 2) values[index] = least + ((source[at] as number) | ((source[at + 1] as number) << 8));
      return;
    case 3:
      for (let index = first; index < end; index += width, at += 3) {
        values[index] = least + ((source[at] as number) | ((source[at + 1] as number) << 8) | ((source[at + 2] as number) << 16));
      }
      return;
    default:
      for (let index = first; index < end; index += width, at += bytes) {
        let distance = 0;
        for (let byte = bytes - 1; byte >= 0; byte -= 1) distance = distance * 0x100 + (source[at + byte] as number);
        values[index] = least + distance;
      }
  }
}
