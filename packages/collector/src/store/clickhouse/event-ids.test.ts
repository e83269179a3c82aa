import { describe, expect, it } from 'vitest';
import { toEventId, toEventKey } from './event-ids.js';

describe('ClickHouse event ids', () => {
  it('encode write key and message id and decode back to them', () => {
    expect(toEventId({ writeKey: 'wk', messageId: 'm-1' })).toBe('d2sKbS0x');
    expect(toEventKey('d2sKbS0x')).toEqual({ writeKey: 'wk', messageId: 'm-1' });
  });

  it('round-trip message ids with newlines and unicode', () => {
    const key = { writeKey: 'wk', messageId: 'a\nb é' };
    expect(toEventKey(toEventId(key))).toEqual(key);
  });

  it('reject ids this store never handed out', () => {
    expect(() => toEventKey('42')).toThrow(RangeError);
    expect(() => toEventKey('not base64!')).toThrow(/handed out/);
  });
});
