import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { EventWriter } from '../event-writer.js';
import { migrate } from '../migrate.js';
import { serializeEvent } from '../serialized-event.js';
import { SqliteStore } from '../sqlite-store.js';
import { migrations } from './index.js';
import { messageIdBytesMigration } from './040-message-id-bytes.js';

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);
const UUID = '6f1c2b0e-8a4d-4c1e-9f3a-2b7d5e0c9a11';
const UPPER = 'A3BB189E-8BF9-3888-9912-ACE4E6543002';

const openBefore = databasesBefore();

describe('migration 040: canonical UUID message ids stored as their 16 bytes', () => {
  it('converts the stored UUIDs, leaves other ids as text, and still finds a retry of a message stored before', () => {
    const db = openBefore(messageIdBytesMigration);
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type_code, event_code, user_key, ts, received_at_offset) VALUES (X'31', ?, 1, '1', 'ada', ${T0}, 0)`,
    );
    for (const id of [UUID, UPPER, 'm-1']) insert.run(id);

    migrate(db, migrations.slice(0, messageIdBytesMigration.version));

    expect(db.prepare('SELECT typeof(message_id) FROM events ORDER BY id').pluck().all()).toEqual(['blob', 'text', 'text']);
    expect(db.prepare('SELECT length(message_id) FROM events ORDER BY id').pluck().get()).toBe(16);
    const retry = (messageId: string) =>
      new EventWriter(db).insertGroup([[serializeEvent(promptRecord({ messageId, userId: 'ada', timestamp: T0 }))]])[0];
    expect(retry(UUID)).toEqual({ inserted: 0, duplicates: 1 });
    expect(retry(UPPER)).toEqual({ inserted: 0, duplicates: 1 });
    // The same UUID in lowercase was never stored: text ids compare case-sensitively, as before.
    expect(retry(UPPER.toLowerCase())).toEqual({ inserted: 1, duplicates: 0 });
  });

  it('exports and dedupes SDK message ids as sent', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      const records = [UUID, UPPER, 'm-1'].map((messageId, index) => promptRecord({ messageId, userId: 'ada', timestamp: T0 + index }));
      expect(await store.insertEvents(records)).toEqual({ inserted: 3, duplicates: 0 });
      expect(await store.insertEvents(records)).toEqual({ inserted: 0, duplicates: 3 });
      const exported: string[] = [];
      for await (const page of store.exportEvents({ fromMs: 0, toMs: T0 + 60_000 })) exported.push(...page.map((event) => event.message_id));
      expect(exported).toEqual([UUID, UPPER, 'm-1']);
    } finally {
      await store.close();
    }
  });
});
