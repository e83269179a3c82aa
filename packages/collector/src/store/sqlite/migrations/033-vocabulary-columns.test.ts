import { describe, expect, it } from 'vitest';
import { SCHEMA_OBJECTS, queryPlan } from '../../../../test/support/schema-queries.js';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { promptRecord } from '../../../../test/support/event-record.js';
import { migrate } from '../migrate.js';
import { SqliteStore } from '../sqlite-store.js';
import { migrations } from './index.js';
import { vocabularyColumnsMigration } from './033-vocabulary-columns.js';

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);

const openBefore = databasesBefore();

/** What a row reads as, whatever it stores. */
const READ = 'SELECT message_id, type, event, user_key, status, intent FROM events ORDER BY id';
/** What it stores for the two coded columns. */
const STORED = 'SELECT typeof(type_code), typeof(status_code) FROM events ORDER BY id';

describe('migration 033: type and status as vocabulary codes, SDK properties in columns', () => {
  it('stores codes in place of repeated names, reads every row back as it was, and keeps every index, view, trigger and queued prompt', () => {
    const db = openBefore(vocabularyColumnsMigration);
    db.pragma('foreign_keys = ON');
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type, event, user_id, anonymous_id, user_key, status, intent, ts, received_at_offset, context, properties)
       VALUES (X'31', @id, @type, @event, @userId, @anonymousId, @userKey, @status, @intent, ${T0}, 0, '{}', @properties)`,
    );
    const rows = [
      { id: 'm-1', type: 'track', event: 'ai_user_prompt_created', userId: null, anonymousId: 'anon-1', userKey: 'anon-1', status: null, intent: 'billing_payment' },
      { id: 'm-2', type: 'track', event: 'ai_llm_response_received', userId: 'ada', anonymousId: 'anon-2', userKey: 'ada', status: 'timeout', intent: 'other' },
      // Names outside the vocabularies, one of them a code's digits.
      { id: 'm-3', type: 'page', event: 'checkout_opened', userId: 'ada', anonymousId: null, userKey: 'ada', status: 'degraded', intent: null },
      { id: 'm-4', type: 'track', event: 'ai_llm_response_received', userId: null, anonymousId: 'anon-5', userKey: 'anon-5', status: '2', intent: null },
      { id: 'm-5', type: 'identify', event: null, userId: 'ada', anonymousId: 'anon-2', userKey: 'ada', status: null, intent: null },
      // Its status was defaulted (no response_status in the properties), and the next one's was sent.
      { id: 'm-6', type: 'track', event: 'ai_llm_response_received', userId: 'ada', anonymousId: null, userKey: 'ada', status: 'success', intent: null },
      {
        id: 'm-7', type: 'track', event: 'ai_llm_response_received', userId: 'ada', anonymousId: null, userKey: 'ada', status: 'success', intent: null,
        properties: '{"response_status":"success"}',
      },
    ];
    for (const row of rows) insert.run({ properties: '{}', ...row });
    db.prepare('INSERT INTO intent_queue (event_id, prompt_text, enqueued_at) VALUES (1, ?, ?)').run('where is my invoice', T0);
    const readBefore = db.prepare(READ).raw().all();
    const schemaBefore = db.prepare(SCHEMA_OBJECTS).pluck().all();

    migrate(db, migrations.slice(0, vocabularyColumnsMigration.version));

    expect(db.prepare(READ).raw().all()).toEqual(readBefore);
    expect(db.prepare(STORED).raw().all()).toEqual([
      ['integer', 'null'],
      ['integer', 'integer'],
      ['integer', 'text'],
      ['integer', 'text'],
      ['integer', 'null'],
      ['integer', 'null'],
      ['integer', 'integer'],
    ]);
    expect(db.prepare(SCHEMA_OBJECTS).pluck().all()).toEqual(schemaBefore);
    // Dropping the old table with foreign keys on would have cascaded to the queue.
    expect(db.prepare('SELECT event_id, prompt_text FROM intent_queue').raw().all()).toEqual([[1, 'where is my invoice']]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // The indexes still answer alone what they answered alone.
    expect(queryPlan(db, "SELECT ts FROM events WHERE event = 'ai_llm_response_received' AND ts >= 0")).toMatch(/COVERING INDEX events_response_ts/);
    expect(queryPlan(db, "SELECT user_key, ts FROM events WHERE user_key = 'ada'")).toMatch(/COVERING INDEX events_user_ts/);
  });

  it('has the writer store codes and property columns', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      await store.insertEvents([
        promptRecord({
          messageId: 'p-1', anonymousId: 'anon-1', userId: null, intent: 'billing_payment', timestamp: T0,
          properties: { prompt_length: 154, input_method: 'voice', client_tag: 'x' },
        }),
        promptRecord({ messageId: 'c-1', type: 'screen', event: null, userId: 'ada', timestamp: T0 + 1 }),
        promptRecord({ messageId: 'r-1', event: 'ai_llm_response_received', userId: 'ada', status: 'success', timestamp: T0 + 2 }),
        promptRecord({
          messageId: 'r-2', event: 'ai_llm_response_received', userId: 'ada', status: 'success', timestamp: T0 + 3,
          properties: { response_status: 'success' },
        }),
      ]);
      expect(store.db.prepare('SELECT type, typeof(type_code), status, typeof(status_code), properties FROM events ORDER BY id').raw().all()).toEqual([
        ['track', 'integer', null, 'null', '{"client_tag":"x"}'],
        // No property left beside the columns: an empty text since migration 043.
        ['screen', 'integer', null, 'null', ''],
        ['track', 'integer', 'success', 'null', ''],
        ['track', 'integer', 'success', 'integer', ''],
      ]);
      expect(store.db.prepare('SELECT prompt_length, typeof(input_method_code), input_method FROM events ORDER BY id LIMIT 1').raw().get()).toEqual([
        154, 'integer', 'voice',
      ]);
    } finally {
      await store.close();
    }
  });
});
