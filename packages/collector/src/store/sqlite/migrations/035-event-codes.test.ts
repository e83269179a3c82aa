import { describe, expect, it } from 'vitest';
import { SCHEMA_OBJECTS, queryPlan } from '../../../../test/support/schema-queries.js';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { promptRecord } from '../../../../test/support/event-record.js';
import { migrate } from '../migrate.js';
import { SqliteStore } from '../sqlite-store.js';
import { eventCodeComparisons, eventCodesMigration } from './035-event-codes.js';
import { migrations } from './index.js';

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);

const openBefore = databasesBefore();

/** What a row reads as, whatever it stores. */
const READ = 'SELECT message_id, type, event, status FROM events ORDER BY id';
describe('migration 035: event names as codes', () => {
  it('rewrites comparisons with names of the vocabulary only', () => {
    expect(eventCodeComparisons("WHERE e.event = 'ai_user_action' AND NEW.event IN ('ai_user_prompt_created', 'ai_llm_response_received')")).toBe(
      "WHERE e.event_code = '3' AND NEW.event_code IN ('1', '2')",
    );
    const untouched = "WHERE event = 'checkout_opened' OR event IN ('ai_user_action', 'page_viewed') OR prev_event = 'ai_user_action'";
    expect(eventCodeComparisons(untouched)).toBe(untouched);
  });

  it('stores codes for the coded names, reads every row back as it was, and keeps every schema object and covering plan', () => {
    const db = openBefore(eventCodesMigration);
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type_code, event, user_key, ts, received_at_offset, conversation_id, prompt_number)
       VALUES (X'31', ?, ?, ?, 'ada', ${T0}, 0, 'c-1', 1)`,
    );
    const rows: [id: string, typeCode: number, event: string | null][] = [
      ['m-1', 1, 'ai_user_prompt_created'],
      ['m-2', 1, 'ai_llm_response_received'],
      ['m-3', 1, 'ai_user_action'],
      ['m-4', 1, 'chatmeter_sdk_health'],
      ['m-5', 1, 'checkout_opened'],
      // Names that could read as a code.
      ['m-6', 1, '2'],
      ['m-7', 1, '~x'],
      ['m-8', 2, null],
    ];
    for (const row of rows) insert.run(...row);
    const readBefore = db.prepare(READ).raw().all();
    const schemaBefore = db.prepare(SCHEMA_OBJECTS).pluck().all();

    migrate(db, migrations.slice(0, eventCodesMigration.version));

    expect(db.prepare(READ).raw().all()).toEqual(readBefore);
    expect(db.prepare('SELECT event_code FROM events ORDER BY id').pluck().all()).toEqual(['1', '2', '3', '4', 'checkout_opened', '~2', '~~x', null]);
    expect(db.prepare("SELECT COUNT(*) FROM events WHERE event = '2'").pluck().get()).toBe(1);
    expect(db.prepare(SCHEMA_OBJECTS).pluck().all()).toEqual(schemaBefore);
    // Indexes, views and triggers compare codes: a name comparison would not match the partial indexes.
    const namesCompared = db
      .prepare("SELECT name FROM sqlite_master WHERE sql IS NOT NULL AND type <> 'table' AND (sql LIKE '%event = ''%' OR sql LIKE '%event IN (''%')")
      .pluck()
      .all();
    expect(namesCompared).toEqual([]);
    expect(queryPlan(db, "SELECT ts FROM events WHERE event_code = '2' AND ts >= 0")).toMatch(/COVERING INDEX events_response_ts/);
    expect(queryPlan(db, "SELECT id, ts FROM events WHERE event_code = '1' AND conversation_id = 'c-1'")).toMatch(/COVERING INDEX events_turn_intent/);
    expect(queryPlan(db, "SELECT user_key, ts FROM events WHERE user_key = 'ada'")).toMatch(/COVERING INDEX events_user_ts/);
  });

  it('has the writer store codes, other names as text, and names that could read as a code behind the escape', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      await store.insertEvents([
        promptRecord({ messageId: 'p-1', userId: 'ada', timestamp: T0 }),
        promptRecord({ messageId: 'x-1', event: 'checkout_opened', userId: 'ada', timestamp: T0 + 1 }),
        promptRecord({ messageId: 'i-1', type: 'identify', event: null, userId: 'ada', timestamp: T0 + 2 }),
        promptRecord({ messageId: 'x-2', event: '1', userId: 'ada', timestamp: T0 + 3 }),
      ]);
      expect(store.db.prepare('SELECT event, event_code FROM events ORDER BY id').raw().all()).toEqual([
        ['ai_user_prompt_created', '1'],
        ['checkout_opened', 'checkout_opened'],
        [null, null],
        ['1', '~1'],
      ]);
    } finally {
      await store.close();
    }
  });
});
