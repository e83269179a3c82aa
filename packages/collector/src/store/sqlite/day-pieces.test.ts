import { describe, expect, it } from 'vitest';
import { QUARTERS_PER_WEEK, unitPieces, wholeUnits } from './day-pieces.js';

/** Splitting a range of quarter-hours into whole units (UTC days, weeks) and the quarter-hours around them. */

describe('unitPieces', () => {
  it('reads the whole units inside a range from the unit table and its edges from the quarters', () => {
    // Days (96 quarters): day 1 is [96, 192), day 2 [192, 288).
    expect(unitPieces(90, 300, 96, new Set())).toEqual([
      { from: 'quarters', q0: 90, q1: 96 },
      { from: 'units', start: 1, end: 3 },
      { from: 'quarters', q0: 288, q1: 300 },
    ]);
  });

  it('reads a stale unit from its quarters, joined with the quarters around it', () => {
    expect(unitPieces(96, 480, 96, new Set([2, 3]))).toEqual([
      { from: 'units', start: 1, end: 2 },
      { from: 'quarters', q0: 192, q1: 384 },
      { from: 'units', start: 4, end: 5 },
    ]);
  });

  it('reads a range within one unit, or with no whole unit, from the quarters', () => {
    expect(unitPieces(100, 180, 96, new Set())).toEqual([{ from: 'quarters', q0: 100, q1: 180 }]);
    expect(unitPieces(700, 1400, QUARTERS_PER_WEEK, new Set())).toEqual([{ from: 'quarters', q0: 700, q1: 1400 }]);
  });

  it('takes weeks of 672 quarter-hours', () => {
    expect(unitPieces(600, 2100, QUARTERS_PER_WEEK, new Set())).toEqual([
      { from: 'quarters', q0: 600, q1: 672 },
      { from: 'units', start: 1, end: 3 },
      { from: 'quarters', q0: 2016, q1: 2100 },
    ]);
  });

  it('reads a range starting before the epoch from the quarters: unit 0 would take the quarters on both sides', () => {
    expect(wholeUnits(-4, 2000, QUARTERS_PER_WEEK)).toEqual({ first: 0, end: 0 });
    expect(unitPieces(-4, 2000, QUARTERS_PER_WEEK, new Set())).toEqual([{ from: 'quarters', q0: -4, q1: 2000 }]);
    expect(unitPieces(0, 672, QUARTERS_PER_WEEK, new Set())).toEqual([{ from: 'units', start: 0, end: 1 }]);
  });
});
