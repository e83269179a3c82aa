import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import type { EventRecord } from '../event-record.js';
import { contextHash } from './context-dictionary.js';
import type { SqliteStore } from './sqlite-store.js';

/** Each distinct event context stored once (migration 017), and given back whole to every reader. */

const openStore = inMemoryStores();

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);

const BROWSER = { library: { name: 'chatmeter-sdk', version: '1.4.0' }, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', page: { url: 'https://example.test/chat' } };
const PHONE = { library: { name: 'chatmeter-sdk', version: '1.4.0' }, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Safari/604.1', locale: 'fr-FR' };

function prompt(messageId: string, userId: string, context: Record<string, unknown>, minutes = 0): EventRecord {
  return promptRecord({ messageId, userId, timestamp: T0 + minutes * 60_000, sessionId: `s-${userId}`, context: { sessionId: `s-${userId}`, ...context } });
}

/** The exported context of each event, by message id. */
async function exportedContexts(store: SqliteStore): Promise<Record<string, unknown>> {
  const contexts: Record<string, unknown> = {};
  for await (const page of store.exportEvents({ fromMs: 0, toMs: T0 + 86_400_000 })) {
    for (const event of page) contexts[event.message_id] = event.context;
  }
  return contexts;
}

function dictionary(store: SqliteStore): { context: string; refs: number }[] {
  return store.db.prepare('SELECT context, refs FROM contexts ORDER BY id').all() as { context: string; refs: number }[];
}

describe('the context dictionary', () => {
  it('stores a context shared by many events once and gives each event its context back as sent', async () => {
    const store = openStore();
    await store.insertEvents([prompt('m-1', 'ada', BROWSER), prompt('m-2', 'ada', BROWSER, 1)]);
    await store.insertEvents([prompt('m-3', 'ada', BROWSER, 2), prompt('m-4', 'bob', PHONE, 3)]);

    expect(dictionary(store)).toEqual([
      { context: JSON.stringify(BROWSER), refs: 3 },
      { context: JSON.stringify(PHONE), refs: 1 },
    ]);
    expect(store.db.prepare("SELECT COUNT(*) FROM events WHERE context <> ''").pluck().get()).toBe(0);
    expect(await exportedContexts(store)).toEqual({
      'm-1': { sessionId: 's-ada', ...BROWSER },
      'm-2': { sessionId: 's-ada', ...BROWSER },
      'm-3': { sessionId: 's-ada', ...BROWSER },
      'm-4': { sessionId: 's-bob', ...PHONE },
    });
  });

  it('keeps two contexts whose hashes collide apart', async () => {
    const store = openStore();
    // A row holding another text under BROWSER's hash, as a collision would leave it.
    store.db.prepare("INSERT INTO contexts (hash, context, refs) VALUES (?, '{\"other\":true}', 1)").run(contextHash(JSON.stringify(BROWSER)));
    await store.insertEvents([prompt('m-1', 'ada', BROWSER)]);

    expect(dictionary(store)).toEqual([
      { context: '{"other":true}', refs: 1 },
      { context: JSON.stringify(BROWSER), refs: 1 },
    ]);
    expect(await exportedContexts(store)).toEqual({ 'm-1': { sessionId: 's-ada', ...BROWSER } });
  });

  it('counts a resent event once and leaves no row for a new context only duplicates carried', async () => {
    const store = openStore();
    await store.insertEvents([prompt('m-1', 'ada', BROWSER)]);
    // The same message id again, with a context the dictionary does not hold: nothing is stored.
    await store.insertEvents([prompt('m-1', 'ada', BROWSER), prompt('m-1', 'ada', PHONE)]);

    expect(dictionary(store)).toEqual([{ context: JSON.stringify(BROWSER), refs: 1 }]);
  });

  it('does not give a context the id its rolled-back transaction had added it under', async () => {
    const store = openStore();
    store.db.exec("CREATE TEMP TRIGGER poison BEFORE INSERT ON events WHEN NEW.message_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END");
    // BROWSER is added to the dictionary, then the transaction rolls back.
    await expect(store.insertEvents([prompt('m-1', 'ada', BROWSER), prompt('poison', 'ada', BROWSER)])).rejects.toThrow();
    // PHONE now takes the id BROWSER had in that transaction.
    await store.insertEvents([prompt('m-2', 'bob', PHONE, 1)]);
    await store.insertEvents([prompt('m-3', 'ada', BROWSER, 2)]);

    expect(await exportedContexts(store)).toEqual({
      'm-2': { sessionId: 's-bob', ...PHONE },
      'm-3': { sessionId: 's-ada', ...BROWSER },
    });
    expect(dictionary(store)).toEqual([
      { context: JSON.stringify(PHONE), refs: 1 },
      { context: JSON.stringify(BROWSER), refs: 1 },
    ]);
  });

  it('does not give a context the id of its row once erasure deleted that row', async () => {
    const store = openStore();
    await store.insertEvents([prompt('m-1', 'ada', BROWSER)]);
    await store.eraseUser('ada');
    // PHONE now takes the id BROWSER had.
    await store.insertEvents([prompt('m-2', 'bob', PHONE, 1)]);
    await store.insertEvents([prompt('m-3', 'cyd', BROWSER, 2)]);

    expect(await exportedContexts(store)).toEqual({
      'm-2': { sessionId: 's-bob', ...PHONE },
      'm-3': { sessionId: 's-cyd', ...BROWSER },
    });
  });

  it("deletes a context with the last event naming it: an erased user's own, not one another user's events still name", async () => {
    const store = openStore();
    const own = { ...BROWSER, page: { url: 'https://example.test/account/ada-private' } };
    await store.insertEvents([prompt('m-1', 'ada', own), prompt('m-2', 'ada', BROWSER, 1), prompt('m-3', 'bob', BROWSER, 2)]);

    await store.eraseUser('ada');
    expect(dictionary(store)).toEqual([{ context: JSON.stringify(BROWSER), refs: 1 }]);

    await store.eraseUser('bob');
    expect(dictionary(store)).toEqual([]);
  });

  it('deletes a context with the last event retention removes', async () => {
    const store = openStore();
    await store.insertEvents([prompt('m-1', 'ada', PHONE), prompt('m-2', 'ada', BROWSER, 1), prompt('m-3', 'bob', BROWSER, 10)]);

    expect(await store.deleteEventsBefore(T0 + 5 * 60_000, 100)).toBe(2);
    expect(dictionary(store)).toEqual([{ context: JSON.stringify(BROWSER), refs: 1 }]);
  });
});
