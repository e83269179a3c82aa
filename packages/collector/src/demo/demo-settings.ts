/** What shapes a demo data set; every field has a default. */
export interface DemoOptions {
  /** People who use the chat during the period (default 2000). */
  users?: number;
  /** Length of the period in days, ending at `endDate` (default 90). */
  days?: number;
  /** Same seed, same events (default 42). */
  seed?: number;
  /** The last moment of the period (default now). Fix it for reproducible timestamps. */
  endDate?: Date | number;
}

export const DEMO_DEFAULTS = { users: 2000, days: 90, seed: 42 } as const;

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Options resolved to numbers, plus the period's bounds. */
export interface DemoSettings {
  users: number;
  days: number;
  seed: number;
  /** UTC midnight of the first day. */
  startMs: number;
  endMs: number;
  /** Prefix of every demo identifier, so demo data is recognisable and seeds do not collide. */
  namespace: string;
}

export function resolveDemoSettings(options: DemoOptions = {}): DemoSettings {
  const users = options.users ?? DEMO_DEFAULTS.users;
  const days = options.days ?? DEMO_DEFAULTS.days;
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const endMs = options.endDate === undefined ? Date.now() : new Date(options.endDate).getTime();
  if (!Number.isInteger(users) || users < 1) throw new RangeError(`users must be a positive integer, got ${users}`);
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer 0–4294967295, got ${seed}`);
  }
  if (!Number.isFinite(endMs)) throw new RangeError('endDate must be a valid date');
  // The last day is the (partial) day of endDate, so "90 days" ends today.
  const startMs = Math.floor(endMs / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  return { users, days, seed, startMs, endMs, namespace: `demo-${seed}` };
}
