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
});
