import { describe, expect, it } from 'vitest';
import { excludedTraffic, trafficFilterSql, trafficOf } from './traffic.js';

const ORDINARY = { includeDebug: false, includeBots: false, includeInternal: false };

describe('traffic bits', () => {
  it('marks debug with bit 1, bot with bit 2, internal with bit 4, and an ordinary event with none', () => {
    expect(trafficOf({ debug: true, bot: false, internal: false })).toBe(1);
    expect(trafficOf({ debug: false, bot: true, internal: false })).toBe(2);
    expect(trafficOf({ debug: false, bot: false, internal: true })).toBe(4);
    expect(trafficOf({ debug: true, bot: true, internal: true })).toBe(7);
    expect(trafficOf({ debug: false, bot: false, internal: false })).toBe(0);
  });

  it('leaves every kind the scope does not include out with one bitAnd', () => {
    expect(trafficFilterSql(ORDINARY)).toBe('bitAnd(traffic, 7) = 0');
    expect(trafficFilterSql({ ...ORDINARY, includeDebug: true })).toBe('bitAnd(traffic, 6) = 0');
    expect(trafficFilterSql({ ...ORDINARY, includeBots: true }, 'e.traffic')).toBe('bitAnd(e.traffic, 5) = 0');
    expect(trafficFilterSql({ ...ORDINARY, includeInternal: true })).toBe('bitAnd(traffic, 3) = 0');
    expect(trafficFilterSql({ includeDebug: true, includeBots: true, includeInternal: true })).toBe('1');
  });

  it('names the excluded bits of a scope', () => {
    expect(excludedTraffic(ORDINARY)).toBe(7);
    expect(excludedTraffic({ includeDebug: true, includeBots: true, includeInternal: false })).toBe(4);
  });
});
