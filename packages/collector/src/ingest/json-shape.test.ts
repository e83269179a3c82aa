import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../protocol/index.js';
import { createRandom, type Random } from '../demo/random.js';
import { messageShapeProblem } from './ingest-batch.js';
import { MAX_JSON_DEPTH, measureJson } from './json-shape.js';

const exactBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** Code units JSON writes longest: escapes, quotes, lone surrogates, 3-byte and 4-byte UTF-8. */
const AWKWARD = ['\u0000', '\u001f', '\n', '"', '\\', '\ud800', '\udfff', '€', '\uffff', '😀', 'a', ' ', '\u007f', '\u2028'];
const NUMBERS = [0, -0, 1, -1.2345678901234567e308, 5e-324, -5e-324, 1e21, 123456789012345680000, Number.MAX_SAFE_INTEGER, 0.1, NaN, Infinity];

function text(random: Random): string {
  let result = '';
  for (let length = random.int(0, 12); length > 0; length -= 1) result += random.pick(AWKWARD);
  return result;
}

function jsonValue(random: Random, depth: number): unknown {
  const kind = depth > 5 ? random.int(0, 3) : random.int(0, 5);
  switch (kind) {
    case 0:
      return text(random);
    case 1:
      return random.pick(NUMBERS);
    case 2:
      return random.pick([true, false, null]);
    case 3:
      return random.chance(0.5) ? undefined : random.next() * 10 ** random.int(-30, 30);
    case 4:
      return Array.from({ length: random.int(0, 5) }, () => jsonValue(random, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: random.int(0, 5) }, () => [text(random), jsonValue(random, depth + 1)]));
  }
}

function nested(levels: number): unknown {
  let value: unknown = {};
  for (let level = 1; level < levels; level += 1) value = { a: value };
  return value;
}

describe('measureJson', () => {
  it('bounds the UTF-8 size of JSON.stringify from above, for awkward values too (seeded)', () => {
    for (let seed = 1; seed <= 2_000; seed += 1) {
      const value = jsonValue(createRandom(seed), 1);
      const shape = measureJson(value);
      expect(shape.tooDeep, `seed ${seed}`).toBe(false);
      if (!shape.tooDeep) expect(shape.maxBytes, `seed ${seed}: ${JSON.stringify(value)}`).toBeGreaterThanOrEqual(exactBytes(value));
    }
  });

  it('counts the message object as level 1 and stops at the first level too deep, without recursion', () => {
    expect(measureJson(nested(MAX_JSON_DEPTH)).tooDeep).toBe(false);
    expect(measureJson(nested(MAX_JSON_DEPTH + 1)).tooDeep).toBe(true);
    expect(measureJson(nested(100_000)).tooDeep).toBe(true);
  });

  it('gives an infinite bound to what JSON cannot hold, so that the caller counts exactly', () => {
    expect(measureJson({ id: 1n })).toEqual({ tooDeep: false, maxBytes: Infinity });
  });
});

describe('messageShapeProblem', () => {
  it('counts exactly when the bound is over the limit: a long plain text under it is taken, escapes over it are refused with their size', () => {
    const plain = { type: 'track', event: 'x', userId: 'u', properties: { text: 'x'.repeat(MAX_MESSAGE_BYTES / 2) } };
    expect(measureJson(plain)).toMatchObject({ maxBytes: expect.any(Number) });
    expect((measureJson(plain) as { maxBytes: number }).maxBytes).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(messageShapeProblem(plain)).toBeNull();

    const quotes = { ...plain, properties: { text: '"'.repeat(MAX_MESSAGE_BYTES / 2) } };
    expect(messageShapeProblem(quotes)).toEqual({
      code: 'message_too_large',
      status: 413,
      message: `is ${exactBytes(quotes)} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit per message`,
    });
  });

  it('takes a message of exactly the limit and refuses one byte more', () => {
    const base = { type: 'track', event: 'x', userId: 'u', properties: { text: '' } };
    const atLimit = { ...base, properties: { text: 'x'.repeat(MAX_MESSAGE_BYTES - exactBytes(base)) } };
    expect(exactBytes(atLimit)).toBe(MAX_MESSAGE_BYTES);
    expect(messageShapeProblem(atLimit)).toBeNull();
    const over = { ...base, properties: { text: `${atLimit.properties.text}x` } };
    expect(messageShapeProblem(over)).toMatchObject({ code: 'message_too_large', status: 413 });
  });
});
