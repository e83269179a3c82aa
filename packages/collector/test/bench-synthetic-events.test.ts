import { describe, expect, it } from 'vitest';
import { createSyntheticEvents } from '../../../bench/synthetic-events.mjs';
import { SqliteStore } from '../src/store/sqlite/index.js';

describe("the metrics benchmark's synthetic events", () => {
  it('are complete records the SQLite store accepts', async () => {
    const generator = createSyntheticEvents({ events: 2_000, users: 20, days: 3, endMs: Date.UTC(2026, 10, 20), writeKey: 'bench_write_key' });
    const records = [0, 1, 2].flatMap((day) => generator.generateDay(day));
    expect(records.length).toBeGreaterThan(100);
    // One delivery health report per session, as the SDK sends when the page is hidden (a day's
    // last few events, reports among them, give way to its total).
    const sessions = new Set(records.map((record) => record.sessionId)).size;
    const reports = records.filter((record) => record.event === 'chatmeter_sdk_health').length;
    expect(reports).toBeLessThanOrEqual(sessions);
    expect(reports).toBeGreaterThan(0.9 * sessions);
    const store = new SqliteStore({ path: ':memory:' });
    try {
      const outcome = await store.insertEvents(records);
      expect(outcome).toEqual({ inserted: records.length, duplicates: 0 });
    } finally {
      await store.close();
    }
  });

  it('with SDK ids, are the same traffic with UUIDs for its message, anonymous, session and conversation ids', () => {
    const options = { events: 2_000, users: 20, days: 2, endMs: Date.UTC(2026, 10, 20), writeKey: 'bench_write_key' };
    const bench = createSyntheticEvents(options).generateDay(1);
    const sdk = createSyntheticEvents({ ...options, ids: 'sdk' }).generateDay(1);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ids = ['messageId', 'anonymousId', 'sessionId', 'conversationId'] as const;
    expect(sdk.length).toBe(bench.length);
    sdk.forEach((record, index) => {
      const same = bench[index]!;
      for (const field of ids) {
        if (same[field] === null) expect(record[field]).toBeNull();
        else expect(record[field]).toMatch(uuid);
      }
      const withoutIds = (event: typeof record) => ({
        ...event, messageId: 0, anonymousId: 0, sessionId: 0, conversationId: 0, context: 0, properties: { ...event.properties, conversation_id: 0 },
      });
      expect(withoutIds(record)).toEqual(withoutIds(same));
    });
    // One id per session, conversation and user, as with bench ids.
    for (const field of ['anonymousId', 'sessionId', 'conversationId'] as const) {
      expect(new Set(sdk.map((record) => record[field])).size).toBe(new Set(bench.map((record) => record[field])).size);
    }
  });
});
