import { describe, expect, it } from 'vitest';
import { uuid } from '../src/ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the ids the SDK makes', () => {
  it('are version 7 UUIDs carrying their millisecond in the first 48 bits', () => {
    const at = Date.UTC(2026, 11, 4, 16, 30, 0, 123);
    const id = uuid(at);
    expect(id).toMatch(V7);
    expect(Number.parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(at);
    expect(uuid()).toMatch(V7);
  });

  it('sort in the order they were made, across milliseconds, and never repeat', () => {
    const start = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 2_000 }, (_, index) => uuid(start + Math.floor(index / 4)));
    expect(new Set(ids).size).toBe(ids.length);
    const firstOfEachMs = ids.filter((_, index) => index % 4 === 0);
    expect([...firstOfEachMs].sort()).toEqual(firstOfEachMs);
  });
});
