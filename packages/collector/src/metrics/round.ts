/**
 * Rounding of metric answers, one rule per kind of number so that every
 * endpoint agrees (docs/metrics.md, "Numbers"):
 * counts are integers; ratios 0–1 have 4 decimals; percentages 0–100 have 1;
 * milliseconds and seconds have 1; averages of counts have 2; money has 6.
 * A division by zero is 0, never NaN.
 */
export function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return 0;
  const factor = 10 ** decimals;
  // EPSILON nudges 1.005 (really 1.00499…) to round like people expect.
  return Math.round((value + Number.EPSILON * Math.sign(value)) * factor) / factor;
}

/** part / whole as a 0–1 ratio with 4 decimals; 0 when whole is 0. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : roundTo(part / whole, 4);
}

/** part / whole as a 0–100 percentage with 1 decimal; 0 when whole is 0. */
export function percentage(part: number, whole: number): number {
  return whole === 0 ? 0 : roundTo((100 * part) / whole, 1);
}

/** An average of counts (messages per session…) with 2 decimals; 0 when there is nothing to average. */
export function average(total: number, count: number): number {
  return count === 0 ? 0 : roundTo(total / count, 2);
}

/** Milliseconds or seconds, 1 decimal. */
export function roundDuration(value: number): number {
  return roundTo(value, 1);
}

/** Money (USD), 6 decimals: token prices are fractions of a cent. */
export function roundMoney(value: number): number {
  return roundTo(value, 6);
}
