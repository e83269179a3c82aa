// One unit per chart axis and per table column: the unit is picked once,
// from the largest value the axis or column shows, and every tick or cell
// uses it — never "9,000 ms" beside "12 s", nor "900" beside "1.2K".

const DASH = '–';
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const upToTwoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const upToOneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

/** The largest finite absolute value among `values` (0 when there is none). */
export function largest(values) {
  let max = 0;
  for (const value of values) if (isNumber(value)) max = Math.max(max, Math.abs(value));
  return max;
}

/**
 * Milliseconds shown in seconds once the largest value reaches 10 s (below
 * that, whole milliseconds read better: "850 ms" rather than "0.85 s").
 * Returns { unit, format(value) }.
 */
export function durationScale(values) {
  if (largest(values) >= 10_000) {
    return { unit: 's', format: (value) => (isNumber(value) ? `${upToTwoDecimals.format(value / 1000)} s` : DASH) };
  }
  return { unit: 'ms', format: (value) => (isNumber(value) ? `${integer.format(value)} ms` : DASH) };
}

/** Counts (tokens) in plain numbers, thousands (K) from 10,000 or millions (M) from 10,000,000. */
export function countScale(values) {
  const max = largest(values);
  if (max >= 10_000_000) return { unit: 'M', format: (value) => (isNumber(value) ? `${upToOneDecimal.format(value / 1_000_000)}M` : DASH) };
  if (max >= 10_000) return { unit: 'K', format: (value) => (isNumber(value) ? `${upToOneDecimal.format(value / 1000)}K` : DASH) };
  return { unit: '', format: (value) => (isNumber(value) ? integer.format(value) : DASH) };
}

/**
 * US dollars with as many decimals as the largest value needs: whole dollars
 * from $100, cents from $1, four decimals below (per-request costs are
 * fractions of a cent). The unit is always $; the decimals are per axis/column.
 */
export function moneyScale(values) {
  const max = largest(values);
  const digits = max >= 100 ? 0 : max >= 1 ? 2 : 4;
  const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return { unit: '$', format: (value) => (isNumber(value) ? `$${money.format(value)}` : DASH) };
}
