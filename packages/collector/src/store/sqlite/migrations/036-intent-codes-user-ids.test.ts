import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { SCHEMA_OBJECTS, queryPlan } from '../../../../test/support/schema-queries.js';
import { migrate } from '../migrate.js';
import { SqliteStore } from '../sqlite-store.js';
import { intentCodeReferences, intentCodesUserIdsMigration } from './036-intent-codes-user-ids.js';
import { migrations } from './index.js';
import { vocabularyValueSql } from './vocabularies.js';

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);

const openBefore = databasesBefore();

/** What a row reads as, whatever it stores. */
const READ = 'SELECT message_id, event, intent, user_id, user_key, anonymous_id FROM events ORDER BY id';

describe('migration 036: intents as vocabulary codes, a user id that is the user key stored once', () => {
  it('points the triggers on intent changes and the indexes holding an intent at the code', () => {
    expect(intentCodeReferences('CREATE TRIGGER t AFTER UPDATE OF intent, intent_sampled ON events WHEN OLD.intent IS NOT NEW.intent')).toBe(
      'CREATE TRIGGER t AFTER UPDATE OF intent_code, intent_sampled ON events WHEN OLD.intent IS NOT NEW.intent',
    );
    expect(intentCodeReferences("CREATE INDEX i ON events (ts, intent, model) WHERE event_code = '3' AND intent IS NOT NULL")).toBe(
      "CREATE INDEX i ON events (ts, intent_code, model) WHERE event_code = '3' AND intent IS NOT NULL",
    );
    const untouched = 'CREATE TRIGGER t AFTER UPDATE OF user_key ON events BEGIN UPDATE r SET intent = NEW.intent; END';
    expect(intentCodeReferences(untouched)).toBe(untouched);
  });

  it('stores codes and marks, reads every row back as it was, and keeps every schema object and covering plan', () => {
    const db = openBefore(intentCodesUserIdsMigration);
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type_code, event_code, intent, user_id, anonymous_id, user_key, ts, received_at_offset)
       VALUES (X'31', ?, 1, '1', ?, ?, ?, ?, ${T0}, 0)`,
    );
    const rows: [id: string, intent: string | null, userId: string | null, anonymousId: string | null, userKey: string][] = [
      ['m-1', 'billing_payment', 'ada', null, 'ada'],
      ['m-2', 'other', null, 'anon-1', 'anon-1'],
      // An intent of a taxonomy of one's own, and one that looks like a code.
      ['m-3', 'refund', null, 'anon-2', 'ada'],
      ['m-4', '1', 'ada', 'anon-3', 'ada'],
      // Moved to another key by an alias: the user id differs from the key.
      ['m-5', null, 'old-id', null, 'new-id'],
      ['m-6', 'classification_error', '0', null, '0'],
    ];
    for (const row of rows) insert.run(...row);
    const readBefore = db.prepare(READ).raw().all();
    const schemaBefore = db.prepare(SCHEMA_OBJECTS).pluck().all();

    migrate(db, migrations.slice(0, intentCodesUserIdsMigration.version));

    expect(db.prepare(READ).raw().all()).toEqual(readBefore);
    expect(db.prepare('SELECT intent_code, user_id_stored FROM events ORDER BY id').raw().all()).toEqual([
      [6, 0],
      [7, null],
      ['refund', null],
      ['1', 0],
      [null, 'old-id'],
      [8, 0],
    ]);
    expect(db.prepare(SCHEMA_OBJECTS).pluck().all()).toEqual(schemaBefore);
    const watchingIntent = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%UPDATE OF intent %'").pluck().all();
    expect(watchingIntent).toEqual([]);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%UPDATE OF intent_code%'").pluck().get()).toBeGreaterThan(0);
    const satisfaction = `SELECT ${vocabularyValueSql('intent', 'a.intent_code')} AS intent, a.rating FROM events a INDEXED BY events_feedback_turn_metrics
      WHERE a.event_code = '3' AND a.feedback_type IS NOT NULL AND a.ts >= 0`;
    expect(queryPlan(db, satisfaction)).toMatch(/COVERING INDEX events_feedback_turn_metrics/);
  });

  it('has ingest, classification and an alias keep each user id and intent readable', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      await store.insertEvents([
        promptRecord({ messageId: 'p-1', userId: 'ada', timestamp: T0, intent: 'technical_support' }),
        promptRecord({ messageId: 'p-2', userId: 'ada', timestamp: T0 + 1, intent: 'refund' }),
        promptRecord({ messageId: 'p-3', userId: null, anonymousId: 'anon-1', timestamp: T0 + 2, conversationId: 'c-1', promptNumber: 1 }),
        promptRecord({
          messageId: 'r-3', event: 'ai_llm_response_received', userId: null, anonymousId: 'anon-1', timestamp: T0 + 2, conversationId: 'c-1', promptNumber: 1,
        }),
        // ada becomes ada-2: her events move to the new key and keep the id they were sent with.
        promptRecord({ messageId: 'a-1', type: 'alias', event: null, userId: 'ada-2', previousId: 'ada', timestamp: T0 + 3 }),
        promptRecord({ messageId: 'p-4', userId: 'ada-2', timestamp: T0 + 4 }),
      ]);
      // The classifier's answer for p-3 reaches the response of its turn too.
      const p3 = store.db.prepare("SELECT id FROM events WHERE message_id = 'p-3'").pluck().get() as number;
      const usage = { day: '2026-03-07', classifier: 't', prompts: 1, cached: 0, errors: 0, notSampled: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
      await store.recordClassifications([{ eventId: String(p3), intent: 'account_management', sampled: true }], usage);

      expect(store.db.prepare('SELECT message_id, user_id, user_key, intent, intent_code, user_id_stored FROM events ORDER BY id').raw().all()).toEqual([
        ['p-1', 'ada', 'ada-2', 'technical_support', 4, 'ada'],
        ['p-2', 'ada', 'ada-2', 'refund', 'refund', 'ada'],
        ['p-3', null, 'anon-1', 'account_management', 5, null],
        ['r-3', null, 'anon-1', 'account_management', 5, null],
        ['a-1', 'ada-2', 'ada-2', null, null, 0],
        ['p-4', 'ada-2', 'ada-2', null, null, 0],
      ]);
    } finally {
      await store.close();
    }
  });
});
