/**
 * The values of many list rows, concatenated in row order, split back into
 * one array per key: row i holds `counts[i]` values and belongs to `keys[i]`.
 * A single key keeps the array itself, without a copy. Keys come out in
 * SQLite's order (null first, then by code unit), as a GROUP BY would have
 * returned them.
 */
export function valuesByKey<K extends string | null>(values: Float64Array, keys: readonly K[], counts: readonly number[]): Map<K, Float64Array> {
  const sizes = new Map<K, number>();
  keys.forEach((key, row) => sizes.set(key, (sizes.get(key) ?? 0) + (counts[row] as number)));
  const ordered = [...sizes.keys()].sort(compareKeys);
  if (ordered.length === 1) return new Map([[ordered[0] as K, values]]);

  const groups = new Map<K, { values: Float64Array; filled: number }>(
    ordered.map((key) => [key, { values: new Float64Array(sizes.get(key) as number), filled: 0 }]),
  );
  // Rows hold a few values each: a plain loop copies them faster than a subarray() per row would.
  let next = 0;
  for (let row = 0; row < keys.length; row += 1) {
    const group = groups.get(keys[row] as K) as { values: Float64Array; filled: number };
    const end = next + (counts[row] as number);
    let filled = group.filled;
    for (; next < end; next += 1) group.values[filled++] = values[next] as number;
    group.filled = filled;
  }
  return new Map([...groups].map(([key, group]) => [key, group.values]));
}

export function compareKeys(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  return left < right ? -1 : 1;
}
