import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../test/support/migration-database.js';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import { readEventPages } from '../../copy/sqlite-event-source.js';
import type { EventRecord } from '../event-record.js';
import { EventWriter } from './event-writer.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { writeKeyCodesMigration } from './migrations/029-write-key-codes.js';
import { serializeEvent } from './serialized-event.js';
import type { SqliteStore } from './sqlite-store.js';

/** Events name their write key by a code (migration 029): dedupe stays per key, and readers get the key back. */

const openStore = inMemoryStores();

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);
const SHOP = 'wk_shop_4f1c2a9e7b3d5f6a8c0e1b2d';
const DOCS = 'wk_docs_9a8b7c6d5e4f3a2b1c0d9e8f';

function prompt(writeKey: string, messageId: string, minutes = 0): EventRecord {
  return promptRecord({ writeKey, messageId, userId: 'ada', timestamp: T0 + minutes * 60_000 });
}

/** Each event's write key as the copy to another engine reads it, by message id. */
async function copiedWriteKeys(db: Database.Database): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of readEventPages(db, 0, 100)) {
    for (const record of page.records) keys.push(`${record.messageId} ${record.writeKey}`);
  }
  return keys;
}

function storedKeys(store: SqliteStore): { type: string; bytes: number }[] {
  return store.db.prepare('SELECT typeof(write_key) AS type, length(write_key) AS bytes FROM events ORDER BY id').all() as {
    type: string;
    bytes: number;
  }[];
}

const openBefore = databasesBefore();

describe('write-key codes', () => {
  it('store a one-byte code per event, deduplicate per write key and give the key back', async () => {
    const store = openStore();
    expect(await store.insertEvents([prompt(SHOP, 'm-1'), prompt(DOCS, 'm-1', 1)])).toEqual({ inserted: 2, duplicates: 0 });
    expect(await store.insertEvents([prompt(SHOP, 'm-1', 2), prompt(DOCS, 'm-2', 3)])).toEqual({ inserted: 1, duplicates: 1 });

    expect(storedKeys(store)).toEqual([
      { type: 'blob', bytes: 1 },
      { type: 'blob', bytes: 1 },
      { type: 'blob', bytes: 1 },
    ]);
    expect(store.db.prepare('SELECT code, write_key FROM write_keys ORDER BY code').all()).toEqual([
      { code: 1, write_key: SHOP },
      { code: 2, write_key: DOCS },
    ]);
    expect(await copiedWriteKeys(store.db)).toEqual([`m-1 ${SHOP}`, `m-1 ${DOCS}`, `m-2 ${DOCS}`]);
  });

  it("does not give a key the code its rolled-back transaction had added it under", async () => {
    const store = openStore();
    store.db.exec("CREATE TEMP TRIGGER poison BEFORE INSERT ON events WHEN NEW.message_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END");
    // SHOP gets code 1, then the transaction rolls back.
    await expect(store.insertEvents([prompt(SHOP, 'm-1'), prompt(SHOP, 'poison')])).rejects.toThrow();
    // DOCS now takes code 1.
    await store.insertEvents([prompt(DOCS, 'm-2', 1)]);
    await store.insertEvents([prompt(SHOP, 'm-3', 2)]);

    expect(await copiedWriteKeys(store.db)).toEqual([`m-2 ${DOCS}`, `m-3 ${SHOP}`]);
  });

  it('rewrite the keys of events stored before, so a retry after the upgrade is still a duplicate', async () => {
    const db = openBefore(writeKeyCodesMigration);
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type, event, user_key, ts, received_at, context)
       VALUES (?, ?, 'track', 'ai_user_prompt_created', 'ada', ?, ?, '{}')`,
    );
    insert.run(DOCS, 'm-1', T0, T0);
    insert.run(SHOP, 'm-1', T0, T0);
    insert.run(SHOP, 'm-2', T0, T0);
    migrate(db, migrations);

    expect(db.prepare('SELECT typeof(write_key) AS type, COUNT(*) AS events FROM events GROUP BY 1').all()).toEqual([
      { type: 'blob', events: 3 },
    ]);
    const writer = new EventWriter(db);
    const retried = [prompt(SHOP, 'm-1'), prompt(DOCS, 'm-1'), prompt(SHOP, 'm-3'), prompt('wk_new', 'm-1')];
    expect(writer.insertGroup([retried.map((record) => serializeEvent(record))])).toEqual([{ inserted: 2, duplicates: 2 }]);
    expect(await copiedWriteKeys(db)).toEqual([`m-1 ${DOCS}`, `m-1 ${SHOP}`, `m-2 ${SHOP}`, `m-3 ${SHOP}`, `m-1 wk_new`]);
  });
});
