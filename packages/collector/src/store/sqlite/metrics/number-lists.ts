/** ',' */
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
/** Up to 15 digits an integer mantissa is exact, and mantissa / 10^k is then correctly rounded (as Number() would be). */
const MAX_FAST_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: MAX_FAST_DIGITS + 1 }, (_, exponent) => 10 ** exponent);

/**
 * Reads comma-separated numbers as SQLite's group_concat writes them (the
 * `response_latencies` lists of migration 004, gaps between activity
 * quarters), given as bytes (`CAST(… AS BLOB)`), which spares building a
 * string per value. Most values are plain numbers such as `1234` or `812.5`
 * and are decoded here; anything else (exponents, 16+ digits) goes through
 * Number(), so every value reads back as the exact double SQLite wrote.
 */
export function parseNumberList(bytes: Uint8Array): Float64Array {
  if (bytes.length === 0) return new Float64Array(0);
  let count = 1;
  for (const byte of bytes) if (byte === COMMA) count += 1;
  const values = new Float64Array(count);
  let index = 0;
  let start = 0;
  for (let end = 0; end <= bytes.length; end += 1) {
    if (end < bytes.length && bytes[end] !== COMMA) continue;
    values[index] = fastNumber(bytes, start, end) ?? Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
    index += 1;
    start = end + 1;
  }
  return values;
}

/** `-?digits(.digits)?` with at most 15 digits, else null. */
function fastNumber(bytes: Uint8Array, start: number, end: number): number | null {
  let position = start;
  const negative = bytes[position] === MINUS;
  if (negative) position += 1;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; position < end; position += 1) {
    const byte = bytes[position] as number;
    if (byte === DOT && decimals < 0) {
      decimals = 0;
      continue;
    }
    const digit = byte - ZERO;
    if (digit < 0 || digit > 9) return null;
    mantissa = mantissa * 10 + digit;
    digits += 1;
    if (decimals >= 0) decimals += 1;
  }
  if (digits === 0 || digits > MAX_FAST_DIGITS || decimals === 0) return null;
  const value = decimals > 0 ? mantissa / (POWERS_OF_TEN[decimals] as number) : mantissa;
  return negative ? -value : value;
}
