// Ids shaped as the SDK makes them (packages/sdk/src/ids.ts: version 7 UUIDs,
// the time they were made in the first 48 bits), for BENCH_IDS=sdk. Their
// random bits come from a hash of a key rather than from the generators'
// seeded random streams, so that the traffic itself (who does what when) is
// the same with either shape of id.
import { createHash, randomBytes } from 'node:crypto';

/** BENCH_IDS: `bench` (short readable ids; the default) or `sdk` (UUIDs, as the SDK sends). */
export function benchIds(value) {
  if (value === undefined || value === '' || value === 'bench') return 'bench';
  if (value === 'sdk') return 'sdk';
  throw new Error(`BENCH_IDS must be bench or sdk, got ${JSON.stringify(value)}`);
}

/** A version 7 UUID made at `atMs`, the same for the same key and time. */
export function sdkShapedId(key, atMs) {
  return version7(createHash('md5').update(key).digest('hex'), atMs);
}

/** A version 7 UUID made at `atMs` with fresh random bits (a message id of a new message). */
export function newSdkId(atMs) {
  return version7(randomBytes(10).toString('hex'), atMs);
}

function version7(random, atMs) {
  const time = Math.max(0, Math.floor(atMs)).toString(16).padStart(12, '0').slice(-12);
  const variant = '89ab'[Number.parseInt(random[3], 16) & 3];
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(7, 19)}`;
}
