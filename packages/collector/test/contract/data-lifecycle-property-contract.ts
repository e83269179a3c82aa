import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createRetentionJob } from '../../src/lifecycle/retention-job.js';
import type { Store } from '../../src/store/store.js';
import type { StoreFactory } from '../support/store-factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { DATA_DAYS, DATA_START, DAY_MS, generate, ingest, Rng, type Dataset, type Ev } from './metrics-property-contract.js';

/**
 * Contract suite, seeded property test of deletion (every engine runs it
 * unchanged): for random event sets A and B, a store that received A ∪ B and
 * then deleted B answers every metric exactly as a store that only ever
 * received A. B is one user's events (erasure, with their anonymous id and
 * identify/alias calls) or every event older than the retention (the
 * retention job, on a clock set so that its cutoff falls inside the data).
 *
 * Reproduce one run: CHATMETER_PROPERTY_SEEDS=3 npx vitest run test/contract/sqlite.contract.test.ts -t 'seed 3'
 */

const SEEDS = (process.env['CHATMETER_PROPERTY_SEEDS'] ?? '1,2,3').split(',').map(Number);
const MINUTE_MS = 60_000;

const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Every metric endpoint, with the parameters that pick different rollups (zones, ranges, debug, groupings, breakdowns). */
function metricPaths(data: Dataset): string[] {
  const paths: string[] = [];
  const whole = `from=${dateOf(DATA_START - 2 * DAY_MS)}&to=${dateOf(DATA_START + (DATA_DAYS + 1) * DAY_MS)}`;
  const part = `from=${dateOf(DATA_START + 5 * DAY_MS)}&to=${dateOf(DATA_START + 12 * DAY_MS)}`;
  for (const tz of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
    for (const range of [whole, part]) {
      for (const debug of ['', '&include_debug=true']) {
        const common = `${range}&tz=${encodeURIComponent(tz)}${debug}`;
        paths.push(
          `active-users?${common}`,
          `active-users?${common}&breakdown=trait:plan`,
          `retention?${common}`,
          `retention?${common}&breakdown=trait:plan`,
          `retention?${common}&cohort=active&days=1,2,3,7`,
          `retention?${common}&cohort=active&days=1,3&cohort_period=week`,
          `sessions?${common}`,
          `conversations?${common}`,
          `conversations?${common}&group_by=user&limit=10000`,
          `intents?${common}`,
          `classification?${common}`,
          `latency?${common}&group_by=model`,
          `latency?${common}&group_by=intent`,
          `latency?${common}&metric=ttft&group_by=model`,
          `latency?${common}&group_by=model&model=gpt-a`,
          `satisfaction?${common}&group_by=model`,
          `satisfaction?${common}&group_by=intent`,
          `cost?${common}&group_by=day`,
          `cost?${common}&group_by=model`,
          `cost?${common}&group_by=segment&segment_trait=plan`,
          `errors?${common}&group_by=day`,
          `errors?${common}&group_by=model`,
          `peak-hours?${common}`,
          `peak-hours?${common}&intent=billing`,
          `intent-flows?${common}`,
          `delivery?${common}`,
          `report?${common}`,
        );
      }
    }
  }
  for (const debug of ['', '?include_debug=true']) {
    for (const id of data.sessionIds.slice(0, 12)) paths.push(`sessions/${encodeURIComponent(id)}${debug}`);
    paths.push(`active-conversations?minutes=1440${debug === '' ? '' : '&include_debug=true'}`);
  }
  return paths;
}

/** The two apps' answers to every metric path, as "path: difference" lines (empty when all equal). */
async function metricDifferences(actual: TestApp<Store>, expected: TestApp<Store>, paths: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const path of paths) {
    const [got, want] = await Promise.all([actual.get(`/v1/metrics/${path}`), expected.get(`/v1/metrics/${path}`)]);
    if (got.status !== want.status) problems.push(`${path}: HTTP ${got.status}, expected ${want.status}`);
    else if (got.text !== want.text) problems.push(`${path}:\n  got      ${got.text.slice(0, 600)}\n  expected ${want.text.slice(0, 600)}`);
    if (problems.length >= 10) break;
  }
  return problems;
}

/**
 * A dataset restricted to some events, stored as the full store has them:
 * a response or action keeps the intent it took from its turn's prompt at
 * ingest even when that prompt is not in the subset (deleting a prompt does
 * not rewrite the events that copied its intent), so it is sent as its own.
 */
function subset(data: Dataset, keep: (event: Ev) => boolean, identities: Dataset['identities']): Dataset {
  const events = data.events.filter(keep).map((event) => ({ ...event, intent: event.effIntent }));
  const sessions = new Set(events.map((event) => event.sessionId));
  return { ...data, events, identities, sessionIds: data.sessionIds.filter((id) => sessions.has(id)) };
}

/** Stores `all` in one app and `kept` in another, runs `remove` on the first, and compares every metric answer. */
async function compareAfterDeletion(options: {
  createStore: StoreFactory;
  now: number;
  all: Dataset;
  kept: Dataset;
  seed: number;
  remove: (store: Store) => Promise<void>;
}): Promise<string[]> {
  const { createStore, now, all, kept, seed } = options;
  const full = await startTestApp<Store>({ now: () => now, createStore });
  const never = await startTestApp<Store>({ now: () => now, createStore });
  try {
    await ingest(full, all, new Rng(seed ^ 0x1e7));
    await ingest(never, kept, new Rng(seed ^ 0x2e7));
    await options.remove(full.store);
    return await metricDifferences(full, never, metricPaths(all));
  } finally {
    await full.close();
    await never.close();
  }
}

/** Runs the deletion property against one engine; `createStore` opens a fresh, empty store of it. */
export function describeDataLifecyclePropertyContract(engineName: string, createStore: StoreFactory): void {
  describe(`${engineName}: after deleting events, metrics answer as if they had never been stored`, () => {
    for (const seed of SEEDS) {
      it(`erasing one user, with their anonymous id and identify calls (seed ${seed})`, async () => {
        const all = generate(seed);
        const now = Math.max(...all.events.map((event) => event.ts)) + 30 * MINUTE_MS;
        // A visitor who browsed anonymously, then signed in: erasure must follow the link.
        const converting = all.visitors.filter((visitor) => visitor.kind === 'converting' && all.events.some((event) => event.visitor === visitor));
        const erased = new Rng(seed).pick(converting);
        const identities = all.identities.filter((identity) => identity.message['userId'] !== erased.userId);
        const kept = subset(all, (event) => event.visitor !== erased, identities);
        let outcome: Awaited<ReturnType<Store['eraseUser']>> | undefined;
        const problems = await compareAfterDeletion({
          createStore, now, all, kept, seed,
          remove: async (store) => {
            outcome = await store.eraseUser(erased.userId ?? '');
          },
        });
        expect(problems).toEqual([]);
        const identifyCalls = all.identities.length - identities.length;
        expect(outcome?.events).toBe(all.events.length - kept.events.length + identifyCalls);
        expect(outcome?.identities).toBe(1);
      }, 180_000);

      it(`deleting every event older than the retention (seed ${seed})`, async () => {
        const all = generate(seed);
        const now = Math.max(...all.events.map((event) => event.ts)) + 30 * MINUTE_MS;
        const cutoff = DATA_START + new Rng(seed).int(3 * 24, 15 * 24) * 3_600_000 + 123_456;
        const kept = subset(all, (event) => event.ts >= cutoff, all.identities);
        expect(kept.events.length).toBeGreaterThan(0);
        expect(kept.events.length).toBeLessThan(all.events.length);
        // identify and alias calls are events too: those before the cutoff go as well (their links and traits stay).
        const earlyIdentifyCalls = all.identities.filter((identity) => identity.ts < cutoff).length;
        const problems = await compareAfterDeletion({
          createStore, now, all, kept, seed,
          remove: async (store) => {
            const retentionDays = 30;
            const job = createRetentionJob({
              lifecycle: store, retentionDays, batchSize: 97, logger: pino({ level: 'silent' }), now: () => cutoff + retentionDays * DAY_MS,
            });
            expect(await job.sweep()).toBe(all.events.length - kept.events.length + earlyIdentifyCalls);
          },
        });
        expect(problems).toEqual([]);
      }, 180_000);
    }
  });
}
