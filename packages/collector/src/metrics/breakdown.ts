import { z } from 'zod';
import type { Breakdown, BrokenDown, KeyedCount } from './metrics-source.js';

/** Trait names become a JSON path; keep them to plain identifiers (as cost's `segment_trait`). */
const BREAKDOWN_PATTERN = /^(channel|trait:[A-Za-z0-9_-]{1,64})$/;
/** Values shown on their own; the rest are pooled, so a trait like a user id cannot produce thousands of series. */
export const TOP_VALUES = 10;
/** The pool of every value after the top ones. */
export const OTHER_VALUE = 'other';
/** Users without the trait. */
export const NO_TRAIT_VALUE = '(none)';
/** Users whose events never named a campaign source or an outside referrer. */
export const DIRECT_CHANNEL = 'direct';

/** `breakdown=channel` or `breakdown=trait:<name>` (e.g. `trait:plan`). */
export const breakdownParam = z
  .string()
  .regex(BREAKDOWN_PATTERN, 'must be channel or trait:<name> with a trait name of letters, digits, _ or -, e.g. trait:plan')
  .transform((text): Breakdown => (text === 'channel' ? { by: 'channel' } : { by: 'trait', trait: text.slice('trait:'.length) }));

/** The parameter's text again: `channel`, `trait:plan`. */
export function breakdownName(breakdown: Breakdown): string {
  return breakdown.by === 'channel' ? 'channel' : `trait:${breakdown.trait}`;
}

/** Names an engine's key: a null channel is direct, a null trait is `(none)`. */
export function valueLabel(breakdown: Breakdown, key: string | null): string {
  if (key !== null) return key;
  return breakdown.by === 'channel' ? DIRECT_CHANNEL : NO_TRAIT_VALUE;
}

/** One series or table of a breakdown: a value (or `other`) and its users active in the range. */
export interface BreakdownGroup<T> {
  value: string;
  users: number;
  rows: T;
}

/**
 * Splits rows per value into the top 10 values by users active in the range
 * (most first, then by name) and `other`, the sum of every other value's rows.
 * `other` is there only when some value falls outside the top 10, and a
 * ranked value without rows gets `empty()`. Sums are exact because each user
 * has exactly one value.
 */
export function groupByValue<T>(
  breakdown: Breakdown,
  users: readonly KeyedCount[],
  rows: readonly BrokenDown<T>[],
  merge: (a: T, b: T) => T,
  empty: () => T,
): BreakdownGroup<T>[] {
  const ranked = users
    .map((row) => ({ value: valueLabel(breakdown, row.key), users: row.count }))
    .sort((a, b) => b.users - a.users || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const top = ranked.slice(0, TOP_VALUES);
  const topValues = new Set(top.map((entry) => entry.value));
  const rowsByValue = new Map<string, T>();
  let other: T | undefined;
  for (const row of rows) {
    const value = valueLabel(breakdown, row.key);
    if (topValues.has(value)) rowsByValue.set(value, row.rows);
    else other = other === undefined ? row.rows : merge(other, row.rows);
  }
  const groups = top.map((entry) => ({ value: entry.value, users: entry.users, rows: rowsByValue.get(entry.value) ?? empty() }));
  const otherUsers = ranked.slice(TOP_VALUES).reduce((total, entry) => total + entry.users, 0);
  if (other !== undefined || otherUsers > 0) groups.push({ value: OTHER_VALUE, users: otherUsers, rows: other ?? empty() });
  return groups;
}
