import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import { DAY_MS } from '../../metrics/local-day.js';
import { quarterListWriter, SESSION_LISTS } from './quarter-lists.js';
import { readSessionDays, sessionDayWriter } from './session-days.js';

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9);
const DAY = Math.floor(T0 / DAY_MS);
const MINUTE_MS = 60_000;

const openStore = inMemoryStores();

describe('session summaries per UTC day (migration 021)', () => {
  it('waits for a day’s quarter lists, then sums its sessions, its distinct users and every duration', async () => {
    const store = openStore();
    await store.insertEvents([
      promptRecord({ messageId: 'm-1', userId: 'ada', sessionId: 's-1', timestamp: T0 }),
      promptRecord({ messageId: 'm-2', userId: 'ada', sessionId: 's-1', timestamp: T0 + 5 * MINUTE_MS }),
      promptRecord({ messageId: 'm-3', userId: 'ada', sessionId: 's-2', timestamp: T0 + 3 * 60 * MINUTE_MS }),
      promptRecord({ messageId: 'm-4', userId: 'bob', sessionId: 's-3', timestamp: T0 + 4 * 60 * MINUTE_MS }),
      // The next day's session makes day DAY one before the latest.
      promptRecord({ messageId: 'm-5', userId: 'bob', sessionId: 's-4', timestamp: T0 + DAY_MS }),
    ]);
    store.rollups?.catchUp();
    const days = sessionDayWriter(store.db);
    const write = (writer: { refresh(limit: number): number }): number => store.db.transaction(() => writer.refresh(10))();

    expect(write(days)).toBe(0);
    expect(store.db.prepare('SELECT day FROM session_days_stale ORDER BY day').pluck().all()).toEqual([DAY, DAY + 1]);

    expect(write(quarterListWriter(store.db, SESSION_LISTS))).toBeGreaterThan(0);
    expect(write(days)).toBe(1);

    const [summary, ...others] = store.db.transaction(() => readSessionDays(store.db, DAY, DAY + 2))();
    expect(others).toEqual([]);
    expect(summary).toMatchObject({ sessions: 3, messages: 4, singleMessageSessions: 2, prompts: 4, singlePromptSessions: 2, totalDurationMs: 5 * MINUTE_MS });
    expect([...(summary?.users ?? [])]).toEqual([1, 2]);
    expect([...(summary?.durations ?? [])].sort((a, b) => a - b)).toEqual([0, 0, 5 * MINUTE_MS]);
    expect(store.db.prepare('SELECT day FROM session_days_stale').pluck().all()).toEqual([DAY + 1]);
  });

  it('marks a written day stale again when one of its sessions changes', async () => {
    const store = openStore();
    await store.insertEvents([
      promptRecord({ messageId: 'm-1', userId: 'ada', sessionId: 's-1', timestamp: T0 }),
      promptRecord({ messageId: 'm-2', userId: 'bob', sessionId: 's-2', timestamp: T0 + DAY_MS }),
    ]);
    store.rollups?.catchUp();
    store.rollups?.refreshAllLists();
    expect(store.db.prepare('SELECT day FROM session_days').pluck().all()).toEqual([DAY]);

    await store.insertEvents([promptRecord({ messageId: 'm-3', userId: 'ada', sessionId: 's-1', timestamp: T0 + 10 * MINUTE_MS })]);
    store.rollups?.catchUp();

    expect(store.db.prepare('SELECT day FROM session_days_stale ORDER BY day').pluck().all()).toEqual([DAY, DAY + 1]);
    store.rollups?.refreshAllLists();
    expect(store.db.prepare('SELECT total_duration_ms FROM session_days WHERE day = ?').pluck().get(DAY)).toBe(10 * MINUTE_MS);
  });
});
