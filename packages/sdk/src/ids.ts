/**
 * A random v4 UUID. `crypto.randomUUID` needs a secure context (https or
 * localhost); `getRandomValues` works everywhere, so it is the fallback.
 */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (digit) =>
    (Number(digit) ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (Number(digit) / 4)))).toString(16),
  );
}
