/** A value as it may appear in a CSV cell. */
export type CsvCell = string | number | boolean | null;

export interface CsvTable {
  columns: readonly string[];
  rows: readonly (readonly CsvCell[])[];
}

/** Cells a spreadsheet would run as a formula (CSV injection, OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * RFC 4180 CSV: CRLF line ends, fields with a comma, quote or line break
 * quoted, quotes doubled. Text that a spreadsheet would evaluate as a formula
 * is prefixed with `'`; numbers are written as they are.
 */
export function toCsv(table: CsvTable): string {
  const lines = [table.columns.map(formatCell), ...table.rows.map((row) => row.map(formatCell))];
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

function formatCell(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell !== 'string') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A table whose columns are the keys of the records (in the order given). */
export function csvFromRecords<K extends string>(columns: readonly K[], records: readonly Record<K, CsvCell>[]): CsvTable {
  return { columns, rows: records.map((record) => columns.map((column) => record[column])) };
}
