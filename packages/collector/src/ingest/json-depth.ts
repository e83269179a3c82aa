/**
 * Deepest nesting a message may have, counting the message object itself as
 * level 1 (`properties.a.b` is level 4). Real analytics payloads stay under
 * ten; the cap keeps every later step (JSON.stringify, SQLite's JSON
 * functions, which refuse more than 1,000 levels) away from recursion limits.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * True when `value` nests objects or arrays deeper than `maxDepth`. Walks
 * with an explicit stack, so a hostile 10,000-level value cannot overflow
 * the call stack while being measured.
 */
export function exceedsJsonDepth(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop() as { value: unknown; depth: number };
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
