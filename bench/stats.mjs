// Small statistics and formatting helpers shared by the benchmarks.

/** The q-quantile (0–1) of a list of numbers, nearest-rank on a sorted copy. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => quantile(values, 0.5);

export function formatInt(value) {
  return Math.round(value).toLocaleString('en-US');
}

export function formatMs(value, digits = 1) {
  return `${value.toFixed(digits)} ms`;
}

export function formatBytes(bytes) {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Renders rows (arrays of cells) as an aligned text table; `align` per column: 'l' or 'r'. */
export function table(header, rows, align = []) {
  const widths = header.map((cell, column) => Math.max(String(cell).length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) =>
    cells
      .map((cell, column) => (align[column] === 'r' ? String(cell).padStart(widths[column]) : String(cell).padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export function heading(title) {
  console.log(`\n=== ${title} ${'='.repeat(Math.max(3, 72 - title.length))}`);
}

/**
 * Starts measuring this process's CPU time; `cores()` gives the CPU time
 * used since per second of wall-clock time (1.0 = one core kept busy).
 */
export function startCpuMeter() {
  const cpuAtStart = process.cpuUsage();
  const wallAtStart = performance.now();
  return {
    cores() {
      const cpu = process.cpuUsage(cpuAtStart);
      return (cpu.user + cpu.system) / 1e3 / (performance.now() - wallAtStart);
    },
  };
}

export function formatCores(value) {
  return value.toFixed(2);
}
