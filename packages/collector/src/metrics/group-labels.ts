/** What a prompt without an intent is called in answers and filters (`intent=unclassified`). */
export const UNCLASSIFIED_INTENT = 'unclassified';
/** What a missing model or trait is called in answers and filters (`model=unknown`). */
export const UNKNOWN_KEY = 'unknown';

/** Names a null group key. */
export function labelKey(key: string | null, groupBy: string): string {
  if (key !== null) return key;
  return groupBy === 'intent' ? UNCLASSIFIED_INTENT : UNKNOWN_KEY;
}
