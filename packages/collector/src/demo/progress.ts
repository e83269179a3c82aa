/** Where progress goes: `process.stderr` in the CLI, a fake in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface ProgressReporter {
  update(done: number, total: number): void;
  /** Draws the final state and ends the line. */
  finish(): void;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  now?: () => number;
  /** Least time between two redraws of the bar (default 100 ms). */
  redrawMs?: number;
}

const BAR_WIDTH = 20;

/**
 * On a terminal, one bar redrawn in place (`\r`) at most every `redrawMs`:
 * `[#########...........] 45% 120,000 events 8,500 ev/s ETA 12s`.
 * Elsewhere (CI logs, pipes) carriage returns make a mess, so a plain line
 * each time another 10 % is done.
 */
export function createProgressReporter(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const redrawMs = options.redrawMs ?? 100;
  const tty = stream.isTTY === true;
  // The clock starts at the first update, so that preparation before it does not drag the rate down.
  let started: number | undefined;
  let lastDraw = -Infinity;
  let lastTenth = -1;
  let done = 0;
  let total = 0;
  let finished = false;

  const line = (): string => formatProgress(done, total, now() - (started ?? now()), tty);
  return {
    update(nextDone, nextTotal) {
      started ??= now();
      done = nextDone;
      total = nextTotal;
      if (tty) {
        if (now() - lastDraw < redrawMs && done < total) return;
        lastDraw = now();
        // \x1b[K clears what a longer previous line left behind.
        stream.write(`\r${line()}\x1b[K`);
        return;
      }
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${line()}\n`);
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      if (tty) stream.write(`\r${line()}\x1b[K\n`);
      else if (lastTenth < 10) stream.write(`${line()}\n`);
    },
  };
}

/** One progress line; with `bar`, the bar leads it. */
export function formatProgress(done: number, total: number, elapsedMs: number, bar: boolean): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? formatDuration(((total - done) / rate) * 1000) : '?';
  const filled = Math.round(fraction * BAR_WIDTH);
  const parts = [
    ...(bar ? [`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`] : []),
    `${Math.floor(fraction * 100)}%`.padStart(bar ? 4 : 0),
    `${formatCount(done)} events`,
    `${formatCount(Math.round(rate))} ev/s`,
    `ETA ${eta}`,
  ];
  return parts.join(' ');
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** `12s`, `3m05s`: precise enough for an estimate. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
