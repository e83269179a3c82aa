import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoEvents } from '../src/demo/generate-demo-events.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { eventCodeComparisons } from '../src/store/sqlite/migrations/035-event-codes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Since migration 035 the events table stores event names as codes, and its
 * partial indexes and triggers compare `event_code`. A statement that still
 * compares `event` (the VIRTUAL column that reads the name back) with a
 * coded name answers correctly but can use none of those indexes: on a large
 * file it walks every event, which nothing but a slow endpoint would show.
 * So every statement the collector prepares while it ingests, classifies,
 * folds, answers every metric, exports and erases must compare codes. An
 * in-memory store writes, folds and reads on the test's own thread, where
 * the statements are collected.
 */
const DEMO = { users: 30, days: 14, seed: 35, endDate: Date.UTC(2026, 0, 31, 15) };
const RANGE = 'from=2026-01-18&to=2026-01-31';
const METRICS = [
  'active-users', 'sessions', 'conversations', 'retention', 'intents', 'classification', 'latency?group_by=model', 'latency?group_by=intent',
  'cost?group_by=day', 'cost?group_by=model', 'cost?group_by=segment&segment_trait=plan', 'errors?group_by=model',
  'satisfaction?group_by=intent', 'peak-hours', 'intent-flows', 'delivery', 'report', 'active-conversations',
];

const prototype = Database.prototype as unknown as { prepare(this: Database.Database, source: string): Database.Statement };
const prepare = prototype.prepare;
const prepared = new Set<string>();

describe('statements on a schema with event codes', () => {
  let app: TestApp;
  beforeAll(async () => {
    prototype.prepare = function (source) {
      prepared.add(source);
      return prepare.call(this, source);
    };
    app = await startTestApp({ createStore: () => new SqliteStore({ path: ':memory:' }) });
  });
  afterAll(async () => {
    prototype.prepare = prepare;
    await app.close();
  });

  it('compare codes, never coded names, through ingest, the fold, every metric, export and erasure', async () => {
    for (const batch of generateDemoEvents(DEMO)) expect((await app.post('/v1/batch', { batch })).status).toBe(200);
    const conversation = app.store.db.prepare('SELECT conversation_id FROM events WHERE conversation_id IS NOT NULL LIMIT 1').pluck().get() as string;
    const session = app.store.db.prepare('SELECT session_id FROM events WHERE session_id IS NOT NULL LIMIT 1').pluck().get() as string;
    const scopes = ['', '&tz=America/New_York', '&include_debug=true', `&conversation_id=${encodeURIComponent(conversation)}`];
    for (const metric of [...METRICS, `sessions/${encodeURIComponent(session)}`]) {
      for (const scope of scopes) {
        const { status } = await app.get(`/v1/metrics/${metric}${metric.includes('?') ? '&' : '?'}${RANGE}${scope}`);
        expect([200, 400], `${metric} ${scope}`).toContain(status);
      }
    }
    app.store.rollups?.refreshAllLists();
    for await (const page of app.store.exportEvents({ fromMs: DEMO.endDate - 14 * 86_400_000, toMs: DEMO.endDate })) void page;
    const user = app.store.db.prepare('SELECT user_id FROM events WHERE user_id IS NOT NULL LIMIT 1').pluck().get() as string;
    await app.store.eraseUser(user);
    await app.store.deleteEventsBefore(DEMO.endDate - 7 * 86_400_000, 1_000);

    expect(prepared.size).toBeGreaterThan(100);
    expect([...prepared].filter((source) => eventCodeComparisons(source) !== source)).toEqual([]);
  });
});
