/**
 * The one place values become ClickHouse SQL text. ClickHouse 18.16 has no
 * server-side query parameters, so every value a query carries (filters,
 * ids, names) goes through `sqlValue`; identifiers (database, cluster and
 * table names from the configuration) go through `sqlIdentifier`.
 * Both produce literals that 18.16 and current ClickHouse read the same way.
 */

/** A value that can be written as a ClickHouse literal. */
export type SqlValue = string | number | boolean | null | readonly SqlValue[];

/** Characters that must not appear raw in a quoted literal, and their escapes (ClickHouse's C-style escapes). */
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '`': '\\`',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** Backslash, the quotes and the control characters ClickHouse has escapes for. */
const NEEDS_ESCAPE = /[\\'`\0\b\f\n\r\t]/g;

/**
 * The value as a ClickHouse literal: strings single-quoted with backslash
 * escapes (UTF-8 passes through as is), finite numbers as written by
 * JavaScript, booleans as 1 / 0, null as NULL, arrays as `[…]`.
 * Throws a TypeError for NaN and ±Infinity, which have no portable literal.
 *
 * @example sqlValue("it's") === "'it\\'s'"
 */
export function sqlValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quote(value, "'");
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as a ClickHouse literal: only finite numbers have one`);
    return String(value);
  }
  return `[${value.map(sqlValue).join(', ')}]`;
}

/** Values as a parenthesised list for `IN (…)`; an empty list selects nothing (`(NULL)` matches no row). */
export function sqlList(values: readonly SqlValue[]): string {
  return values.length === 0 ? '(NULL)' : `(${values.map(sqlValue).join(', ')})`;
}

/** A database, table or cluster name as a back-quoted identifier. */
export function sqlIdentifier(name: string): string {
  if (name === '') throw new TypeError('a ClickHouse identifier cannot be empty');
  return quote(name, '`');
}

function quote(text: string, quoteCharacter: "'" | '`'): string {
  return `${quoteCharacter}${text.replace(NEEDS_ESCAPE, (character) => ESCAPES[character] as string)}${quoteCharacter}`;
}
