import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { readEventPages } from '../../../copy/sqlite-event-source.js';
import { exportEventPages } from '../export-queries.js';
import { migrate } from '../migrate.js';
import { migrations } from './index.js';
import { eventTimeOffsetsMigration } from './032-event-time-offsets.js';

/** Upgrading a database created under migration 031: the three times become offsets from `ts`, and read back as they were. */

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);

const openBefore = databasesBefore();

interface Times {
  id: string;
  ts: number;
  original_ts: number | null;
  sent_at: number | null;
  received_at: number;
}
const EVENTS: readonly Times[] = [
  { id: 'm-1', ts: T0, original_ts: T0 - 40, sent_at: T0 + 66, received_at: T0 + 176 },
  // An offline queue: sent and received two days after the event.
  { id: 'm-2', ts: T0 - 172_800_000, original_ts: T0 - 172_800_000 + 3_000, sent_at: T0 - 1_000, received_at: T0 },
  { id: 'm-3', ts: T0 + 60_000, original_ts: null, sent_at: null, received_at: T0 + 60_000 },
];

async function readTimes(db: Database.Database): Promise<{ exported: unknown[]; copied: unknown[] }> {
  const exported: unknown[] = [];
  for await (const page of exportEventPages(db, { fromMs: 0, toMs: T0 + 86_400_000 })) {
    for (const event of page) exported.push([event.message_id, event.timestamp, event.original_timestamp, event.sent_at, event.received_at]);
  }
  const copied: unknown[] = [];
  for await (const page of readEventPages(db, 0, 100)) {
    for (const record of page.records) copied.push([record.messageId, record.timestamp, record.originalTimestamp, record.sentAt, record.receivedAt]);
  }
  return { exported, copied };
}

describe('migration 032: event times as offsets from the timestamp', () => {
  it('rewrites the stored times as offsets, which the export and the copy read back as the times stored', async () => {
    const db = openBefore(eventTimeOffsetsMigration);
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type, event, user_key, ts, original_ts, sent_at, received_at, context)
       VALUES (X'31', @id, 'track', 'ai_user_prompt_created', 'ada', @ts, @original_ts, @sent_at, @received_at, '{}')`,
    );
    for (const event of EVENTS) insert.run(event);
    db.exec("INSERT INTO write_keys (code, write_key) VALUES (1, 'wk')");

    migrate(db, migrations);

    expect(db.prepare('SELECT original_ts_offset, sent_at_offset, received_at_offset FROM events ORDER BY id').raw().all()).toEqual([
      [-40, 66, 176],
      [3_000, 172_799_000, 172_800_000],
      [null, null, 0],
    ]);
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    expect(await readTimes(db)).toEqual({
      exported: EVENTS.map((event) => [event.id, iso(event.ts), iso(event.original_ts), iso(event.sent_at), iso(event.received_at)]),
      copied: EVENTS.map((event) => [event.id, event.ts, event.original_ts, event.sent_at, event.received_at]),
    });
  });
});
