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
 * A value with rows but no user active in the range (active only in the
 * WAU/MAU look-back, or in report cohorts before the range) ranks with 0
 * users. `other` is there only when there are more than 10 values, and a
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
  const usersByValue = new Map<string, number>();
  for (const row of users) usersByValue.set(valueLabel(breakdown, row.key), row.count);
  const rowsByValue = new Map<string, T>();
  for (const row of rows) {
    const value = valueLabel(breakdown, row.key);
    const known = rowsByValue.get(value);
    rowsByValue.set(value, known === undefined ? row.rows : merge(known, row.rows));
    if (!usersByValue.has(value)) usersByValue.set(value, 0);
  }
  const ranked = [...usersByValue]
    .map(([value, count]) => ({ value, users: count }))
    .sort((a, b) => b.users - a.users || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const groups = ranked.slice(0, TOP_VALUES).map((entry) => ({ ...entry, rows: rowsByValue.get(entry.value) ?? empty() }));
  const rest = ranked.slice(TOP_VALUES);
  if (rest.length > 0) {
    const pooled = rest.map((entry) => rowsByValue.get(entry.value)).filter((entry): entry is T => entry !== undefined);
    groups.push({
      value: OTHER_VALUE,
      users: rest.reduce((total, entry) => total + entry.users, 0),
      rows: pooled.length === 0 ? empty() : pooled.reduce(merge),
    });
  }
  return groups;
}
