import { describe, expect, it } from 'vitest';
import { trafficFilterSql, trafficOf } from './traffic.js';

describe('traffic bits', () => {
  it('marks a debug event with bit 1 and a normal one with none', () => {
    expect(trafficOf({ debug: true })).toBe(1);
    expect(trafficOf({ debug: false })).toBe(0);
  });

  it('leaves debug traffic out with one bitAnd unless the scope includes it', () => {
    expect(trafficFilterSql({ includeDebug: false })).toBe('bitAnd(traffic, 1) = 0');
    expect(trafficFilterSql({ includeDebug: true })).toBe('1');
  });
});
