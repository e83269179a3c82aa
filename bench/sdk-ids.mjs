// Ids shaped as the SDK makes them (packages/sdk/src/ids.ts: crypto.randomUUID(),
// canonical lowercase version-4 UUIDs), for BENCH_IDS=sdk. Derived from a key
// by a hash rather than drawn from the generators' seeded random streams, so
// that the traffic itself (who does what when) is the same with either shape.
import { createHash } from 'node:crypto';

/** BENCH_IDS: `bench` (short readable ids; the default) or `sdk` (random-looking UUIDs, as the SDK sends). */
export function benchIds(value) {
  if (value === undefined || value === '' || value === 'bench') return 'bench';
  if (value === 'sdk') return 'sdk';
  throw new Error(`BENCH_IDS must be bench or sdk, got ${JSON.stringify(value)}`);
}

/** A version-4-shaped UUID, the same for the same key. */
export function sdkShapedId(key) {
  const hex = createHash('md5').update(key).digest('hex');
  const variant = '89ab'[Number.parseInt(hex[16], 16) & 3];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
