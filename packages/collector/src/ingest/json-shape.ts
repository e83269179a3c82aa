/**
 * Deepest nesting a message may have, counting the message object itself as
 * level 1 (`properties.a.b` is level 4). Real analytics payloads stay under
 * ten; the cap keeps every later step (JSON.stringify, SQLite's JSON
 * functions, which refuse more than 1,000 levels) away from recursion limits.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * What one walk of a parsed JSON value finds: that it nests deeper than
 * allowed, or else a bound its `JSON.stringify` size in UTF-8 bytes never
 * exceeds.
 */
export type JsonShape = { tooDeep: true } | { tooDeep: false; maxBytes: number };

/**
 * Bytes a UTF-16 code unit can take in JSON text: 3 in UTF-8 at most (a
 * surrogate pair is 4 bytes for 2 units), 6 when escaped (`\u001f`, and the
 * lone surrogates JSON.stringify escapes).
 */
const MAX_BYTES_PER_CODE_UNIT = 6;
/** The longest number JSON.stringify writes: `-1.2345678901234567e+308`. */
const MAX_NUMBER_BYTES = 24;
/** `false`; `true` and `null` are shorter. */
const MAX_LITERAL_BYTES = 5;

const stringBound = (text: string): number => 2 + MAX_BYTES_PER_CODE_UNIT * text.length;

/**
 * Walks `value` once, with an explicit stack so that a hostile 10,000-level
 * value cannot overflow the call stack while being measured. The size bound
 * spares the ingest path a JSON.stringify per message only to weigh it: a
 * message whose bound is under the size limit needs no exact count (a value
 * JSON cannot hold, such as a bigint, gets an infinite bound, so the caller
 * counts exactly).
 */
export function measureJson(value: unknown, maxDepth: number = MAX_JSON_DEPTH): JsonShape {
  let maxBytes = 0;
  const pending: { value: object; depth: number }[] = [];
  // Scalars are weighed where they are met; only objects and arrays wait on the stack.
  const visit = (child: unknown, depth: number): void => {
    if (typeof child === 'object' && child !== null) pending.push({ value: child, depth });
    else maxBytes += scalarBound(child);
  };
  visit(value, 1);
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop() as { value: object; depth: number };
    if (depth > maxDepth) return { tooDeep: true };
    // Brackets, then a separator per member, and each key with its colon.
    maxBytes += 2;
    if (Array.isArray(current)) {
      maxBytes += current.length;
      for (const child of current as unknown[]) visit(child, depth + 1);
    } else {
      const record = current as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        maxBytes += stringBound(key) + 2;
        visit(record[key], depth + 1);
      }
    }
  }
  return { tooDeep: false, maxBytes };
}

function scalarBound(scalar: unknown): number {
  switch (typeof scalar) {
    case 'string':
      return stringBound(scalar);
    case 'number':
      return MAX_NUMBER_BYTES;
    case 'boolean':
    case 'undefined':
    case 'object': // null
      return MAX_LITERAL_BYTES;
    default:
      return Infinity;
  }
}

/** True when `value` nests objects or arrays deeper than `maxDepth` (see measureJson). */
export function exceedsJsonDepth(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  return measureJson(value, maxDepth).tooDeep;
}
