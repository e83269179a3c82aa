// Number formatting shared by tiles, tables and chart tooltips. Every
// function accepts null/undefined (a metric with no data) and shows '–'.

const DASH = '–';
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

export function formatInteger(value) {
  return isNumber(value) ? integer.format(value) : DASH;
}

export function formatDecimal(value) {
  return isNumber(value) ? decimal.format(value) : DASH;
}

export function formatCompact(value) {
  return isNumber(value) ? compact.format(value) : DASH;
}

/** A percentage already on the 0–100 scale. */
export function formatPercent(value) {
  return isNumber(value) ? `${oneDecimal.format(value)}%` : DASH;
}

/** Money with enough digits for sub-cent per-request costs. */
export function formatCost(value) {
  if (!isNumber(value)) return DASH;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 4;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: Math.min(digits, 2), maximumFractionDigits: digits })}`;
}

/** Seconds as '42 s', '3 m 05 s' or '1 h 02 m'. */
export function formatDuration(seconds) {
  if (!isNumber(seconds)) return DASH;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} m ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}
