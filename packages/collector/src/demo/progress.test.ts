import { describe, expect, it } from 'vitest';
import { createProgressReporter, formatDuration, formatProgress } from './progress.js';

function fakeStream(isTTY: boolean): { write(chunk: string): void; isTTY: boolean; output: string } {
  return {
    isTTY,
    output: '',
    write(chunk) {
      this.output += chunk;
    },
  };
}

describe('progress', () => {
  it('formats a bar with percent, count, rate and ETA', () => {
    expect(formatProgress(120_000, 266_666, 14_118, true)).toBe('[#########...........]  45% 120,000 events 8,500 ev/s ETA 17s');
    expect(formatProgress(0, 100, 0, false)).toBe('0% 0 events 0 ev/s ETA ?');
    expect(formatDuration(125_000)).toBe('2m05s');
  });

  it('redraws one line in place on a terminal, at most every redrawMs', () => {
    let clock = 0;
    const stream = fakeStream(true);
    const progress = createProgressReporter({ stream, now: () => clock, redrawMs: 100 });
    clock = 50;
    progress.update(10, 100);
    clock = 60;
    progress.update(20, 100); // within 100 ms of the last draw: skipped
    clock = 200;
    progress.update(50, 100);
    progress.finish();
    expect(stream.output.split('\r').filter(Boolean)).toHaveLength(3);
    expect(stream.output).not.toContain('20 events');
    expect(stream.output.endsWith('\n')).toBe(true);
    expect(stream.output.split('\n')).toHaveLength(2);
  });

  it('prints plain lines every 10 % elsewhere', () => {
    let clock = 0;
    const stream = fakeStream(false);
    const progress = createProgressReporter({ stream, now: () => clock });
    for (let done = 0; done <= 1000; done += 1) {
      progress.update(done, 1000);
      clock += 1;
    }
    progress.finish();
    const lines = stream.output.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('0% 0 events 0 ev/s ETA ?');
    expect(lines.at(-1)).toMatch(/^100% 1,000 events 1,000 ev\/s ETA 0s$/);
    expect(stream.output).not.toContain('\r');
  });
});
