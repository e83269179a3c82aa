import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { migrate } from '../migrate.js';
import { SqliteStore } from '../sqlite-store.js';
import { migrations } from './index.js';
import { vocabularyColumnsMigration, withStoredUpdateColumns } from './033-vocabulary-columns.js';
import { promptRecord } from '../../../../test/support/event-record.js';

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);

const openBefore = databasesBefore();

/** What a row reads as, whatever it stores. */
const READ = 'SELECT message_id, type, event, user_key, status, intent FROM events ORDER BY id';
/** What it stores for the five columns. */
const STORED = 'SELECT typeof(type_code), typeof(event_code), user_key_link, typeof(status_code), typeof(intent_code) FROM events ORDER BY id';

/** A schema object by kind and name, as `sqlite_master` lists them. */
const SCHEMA = "SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY 1";

describe('migration 033: vocabulary codes and user-key links', () => {
  it('stores codes and links in place of repeated names, reads every row back as it was, and keeps every index, view, trigger and queued prompt', () => {
    const db = openBefore(vocabularyColumnsMigration);
    db.pragma('foreign_keys = ON');
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type, event, user_id, anonymous_id, user_key, status, intent, ts, received_at_offset, context, properties)
       VALUES (X'31', @id, @type, @event, @userId, @anonymousId, @userKey, @status, @intent, ${T0}, 0, '{}', @properties)`,
    );
    const rows = [
      // Known names, the key being the anonymous id.
      { id: 'm-1', type: 'track', event: 'ai_user_prompt_created', userId: null, anonymousId: 'anon-1', userKey: 'anon-1', status: null, intent: 'billing_payment' },
      // The key is the user id.
      { id: 'm-2', type: 'track', event: 'ai_llm_response_received', userId: 'ada', anonymousId: 'anon-2', userKey: 'ada', status: 'timeout', intent: 'other' },
      // Relabelled by an identify: the key is neither id.
      { id: 'm-3', type: 'track', event: 'ai_user_action', userId: null, anonymousId: 'anon-3', userKey: 'grace', status: null, intent: null },
      // Names outside the vocabularies, one of them a code's digits.
      { id: 'm-4', type: 'page', event: 'checkout_opened', userId: 'ada', anonymousId: null, userKey: 'ada', status: 'degraded', intent: 'refund_request' },
      { id: 'm-5', type: 'track', event: '1', userId: null, anonymousId: 'anon-5', userKey: 'anon-5', status: '2', intent: '3' },
      { id: 'm-6', type: 'identify', event: null, userId: 'ada', anonymousId: 'anon-2', userKey: 'ada', status: null, intent: null },
      // Its status was defaulted (no response_status in the properties), and the next one's was sent.
      { id: 'm-7', type: 'track', event: 'ai_llm_response_received', userId: 'ada', anonymousId: null, userKey: 'ada', status: 'success', intent: null },
      {
        id: 'm-8', type: 'track', event: 'ai_llm_response_received', userId: 'ada', anonymousId: null, userKey: 'ada', status: 'success', intent: null,
        properties: '{"response_status":"success"}',
      },
    ];
    for (const row of rows) insert.run({ properties: '{}', ...row });
    db.prepare('INSERT INTO intent_queue (event_id, prompt_text, enqueued_at) VALUES (1, ?, ?)').run('where is my invoice', T0);
    const readBefore = db.prepare(READ).raw().all();
    const schemaBefore = db.prepare(SCHEMA).pluck().all();

    migrate(db, migrations);

    expect(db.prepare(READ).raw().all()).toEqual(readBefore);
    expect(db.prepare(STORED).raw().all()).toEqual([
      ['integer', 'integer', null, 'null', 'integer'],
      ['integer', 'integer', null, 'integer', 'integer'],
      ['integer', 'integer', 'grace', 'null', 'null'],
      ['integer', 'text', null, 'text', 'text'],
      ['integer', 'text', null, 'text', 'text'],
      ['integer', 'null', null, 'null', 'null'],
      ['integer', 'integer', null, 'null', 'null'],
      ['integer', 'integer', null, 'integer', 'null'],
    ]);
    expect(db.prepare(SCHEMA).pluck().all()).toEqual(schemaBefore);
    // Dropping the old table with foreign keys on would have cascaded to the queue.
    expect(db.prepare('SELECT event_id, prompt_text FROM intent_queue').raw().all()).toEqual([[1, 'where is my invoice']]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // The partial indexes still serve the queries that filter on the names.
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM events WHERE event = 'ai_llm_response_received' AND ts >= 0").all() as { detail: string }[];
    expect(plan.map((step) => step.detail).join(' ')).toMatch(/USING (COVERING )?INDEX events_response_ts/);
  });

  it('names the stored columns in the UPDATE OF lists of triggers on events, and nothing else', () => {
    expect(withStoredUpdateColumns('CREATE TRIGGER t AFTER UPDATE OF intent, turn_model ON events WHEN NEW.intent IS NOT NULL BEGIN SELECT 1; END')).toBe(
      'CREATE TRIGGER t AFTER UPDATE OF intent_code, turn_model ON events WHEN NEW.intent IS NOT NULL BEGIN SELECT 1; END',
    );
    expect(withStoredUpdateColumns('CREATE TRIGGER t AFTER UPDATE OF user_key ON events BEGIN SELECT 1; END')).toBe(
      'CREATE TRIGGER t AFTER UPDATE OF user_key_link ON events BEGIN SELECT 1; END',
    );
    const onDelete = 'CREATE TRIGGER t AFTER DELETE ON events BEGIN UPDATE users SET traits = traits WHERE user_key = OLD.user_key; END';
    expect(withStoredUpdateColumns(onDelete)).toBe(onDelete);
  });

  it('has the writer store codes, property columns, and links only for relabelled events', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      await store.insertEvents([
        promptRecord({
          messageId: 'p-1', anonymousId: 'anon-1', userId: null, intent: 'billing_payment', timestamp: T0,
          properties: { prompt_length: 154, input_method: 'voice', client_tag: 'x' },
        }),
        promptRecord({ messageId: 'c-1', event: 'custom_event', anonymousId: 'anon-1', userId: null, timestamp: T0 + 1 }),
      ]);
      expect(store.db.prepare(STORED).raw().all()).toEqual([
        ['integer', 'integer', null, 'null', 'integer'],
        ['integer', 'text', null, 'null', 'null'],
      ]);
      expect(store.db.prepare('SELECT properties, prompt_length, typeof(input_method_code), input_method FROM events ORDER BY id LIMIT 1').raw().get()).toEqual([
        '{"client_tag":"x"}', 154, 'integer', 'voice',
      ]);
      await store.insertEvents([promptRecord({ messageId: 'i-1', type: 'identify', event: null, anonymousId: 'anon-1', userId: 'ada', timestamp: T0 + 2 })]);
      expect(store.db.prepare('SELECT user_key, user_key_link FROM events ORDER BY id').raw().all()).toEqual([
        ['ada', 'ada'],
        ['ada', 'ada'],
        ['ada', null],
      ]);
    } finally {
      await store.close();
    }
  });
});
