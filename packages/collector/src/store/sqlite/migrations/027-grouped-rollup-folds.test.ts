import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { CHATMETER_SDK_LIBRARY } from '../../../metrics/sdk-library.js';
import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import { perEventFoldSql } from '../batch-fold.js';
import { migrate } from '../migrate.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { groupedRollupFoldsMigration, PER_EVENT_FOLD_TRIGGERS } from './027-grouped-rollup-folds.js';
import { groupedResponseFoldsMigration } from './028-grouped-response-folds.js';
import { eventCodeComparisons } from './035-event-codes.js';
import { migrations } from './index.js';
import { receivedAtColumn } from '../../../../test/support/received-at-column.js';
import { storedEventColumns, storedEventNameFor } from '../../../../test/support/stored-event-columns.js';

/** Folding per batch after migrations 027 and 028 leaves every rollup as the per-event triggers before them did. */

const QUARTER_MS = 900_000;
/** 2026-03-02 00:00 UTC. */
const T0 = Date.UTC(2026, 2, 2);

const databaseBefore = databasesBefore();

const SDK_CONTEXT = JSON.stringify({ library: { name: CHATMETER_SDK_LIBRARY, version: '1.0.0' } });
const OTHER_CONTEXT = JSON.stringify({ library: { name: 'analytics.js' } });

/** The same events in every database: prompts, responses, feedback, SDK and other events, in two quarters. */
function insertEvents(db: Database.Database): void {
  db.prepare('INSERT INTO contexts (id, hash, context, refs) VALUES (1, 1, ?, 0), (2, 2, ?, 0)').run(SDK_CONTEXT, OTHER_CONTEXT);
  const received = receivedAtColumn(db);
  const stored = storedEventColumns(db);
  const insert = db.prepare(
    `INSERT INTO events (${stored('write_key, message_id, type, event, user_key, conversation_id, prompt_number, ts')}, ${received.column},
                         ${stored('properties, context, context_id, debug, intent, intent_sampled, model, status, cost')},
                         ${stored('prompt_tokens, completion_tokens, total_tokens, response_id, feedback_type, rating, channel')})
     VALUES ('wk', @id, 'track', ${storedEventNameFor(db)('@event')}, @user, @conversation, @turn, @ts, ${received.value('@ts', '@ts')}, '{}', @context, @contextId, @debug, @intent,
             @sampled, @model, @status, @cost, @promptTokens, @completionTokens, @totalTokens, @responseId, @feedback, @rating, @channel)`,
  );
  const base = {
    user: 'ada', conversation: 'c-1', turn: null, context: '', contextId: 1, debug: 0, intent: null, sampled: null, model: null,
    status: null, cost: null, promptTokens: null, completionTokens: null, totalTokens: null, responseId: null, feedback: null,
    rating: null, channel: null,
  };
  const rows = [
    { id: 'p-1', event: 'ai_user_prompt_created', ts: T0, turn: 1, intent: 'billing', sampled: 1, channel: 'search' },
    { id: 'a-1', event: 'ai_user_action', ts: T0 + 1_000, turn: 1, feedback: 'rating', rating: 4 },
    { id: 'r-1', event: 'ai_llm_response_received', ts: T0 + 2_000, turn: 1, intent: 'billing', model: 'gpt', status: 'success', cost: 0.5, promptTokens: 10, completionTokens: 20, totalTokens: 30 },
    { id: 'p-2', event: 'ai_user_prompt_created', ts: T0 + 60_000, turn: 2, intent: 'billing', sampled: 0 },
    { id: 'r-2', event: 'ai_llm_response_received', ts: T0 + 61_000, turn: 2, intent: 'billing', model: 'gpt', status: 'error', cost: 0.25, responseId: 'resp-2' },
    { id: 'a-2', event: 'ai_user_action', ts: T0 + 62_000, feedback: 'thumbs', responseId: 'resp-2', conversation: null },
    { id: 'p-3', event: 'ai_user_prompt_created', ts: T0 + 70_000, conversation: null, intent: null, sampled: null, contextId: null, context: SDK_CONTEXT },
    { id: 'p-4', event: 'ai_user_prompt_created', ts: T0 + 80_000, user: 'bob', conversation: 'c-2', turn: 1, intent: 'tech', sampled: 1, debug: 1, contextId: 2 },
    { id: 'r-4', event: 'ai_llm_response_received', ts: T0 + 81_000, user: 'bob', conversation: 'c-2', turn: 1, intent: 'tech', model: 'claude', status: 'timeout', debug: 1, contextId: 2 },
    { id: 'h-1', event: SDK_HEALTH_EVENT, ts: T0 + 90_000, conversation: null },
    { id: 'i-1', event: 'page_view', ts: T0 + QUARTER_MS, conversation: null, contextId: null, context: OTHER_CONTEXT },
    { id: 'p-5', event: 'ai_user_prompt_created', ts: T0 + QUARTER_MS + 1_000, conversation: 'c-3', turn: 1, intent: 'billing', sampled: 1 },
    // Feedback stored before the response it takes its model from: naming it by id, and (no prompt number) of its conversation after it.
    { id: 'a-3', event: 'ai_user_action', ts: T0 + QUARTER_MS + 2_500, conversation: 'c-3', turn: 1, feedback: 'rating', rating: 5, responseId: 'resp-5' },
    { id: 'a-4', event: 'ai_user_action', ts: T0 + QUARTER_MS + 3_000, conversation: 'c-3', feedback: 'thumbs' },
    { id: 'r-5', event: 'ai_llm_response_received', ts: T0 + QUARTER_MS + 2_000, conversation: 'c-3', turn: 1, intent: 'billing', model: 'claude', status: 'success', cost: 0.125, promptTokens: 1, completionTokens: 2, totalTokens: 3, responseId: 'resp-5' },
  ];
  for (const row of rows) insert.run({ ...base, ...row });
}

const ROLLUPS = [
  'prompt_rollup', 'conversation_prompt_rollup', 'response_rollup', 'sdk_event_rollup', 'conversation_response_quarters',
  'satisfaction_rollup', 'user_first_touch',
];

function folded(db: Database.Database): Record<string, unknown[]> {
  const tables: Record<string, unknown[]> = {};
  for (const table of ROLLUPS) tables[table] = (db.prepare(`SELECT * FROM ${table}`).all()).map((row) => JSON.stringify(row)).sort();
  tables.turnModels = db.prepare('SELECT message_id, turn_model FROM events ORDER BY id').all();
  return tables;
}

describe('migrations 027 and 028 (rollups and responses folded per batch)', () => {
  it('drop the per-event triggers, and the batch fold leaves the rollups and turn models the triggers left', () => {
    const expected = (() => {
      const before = databaseBefore(groupedRollupFoldsMigration);
      insertEvents(before);
      new RollupMaterializer(before).catchUp();
      migrate(before, migrations);
      return folded(before);
    })();
    expect(expected.prompt_rollup).toHaveLength(4);
    expect(expected.sdk_event_rollup).toEqual([{ quarter: T0 / QUARTER_MS, events: 7 }, { quarter: T0 / QUARTER_MS + 1, events: 4 }].map((row) => JSON.stringify(row)));
    // a-1 and a-3 to a-4 took their models from responses stored after them.
    expect(expected.turnModels).toEqual(expect.arrayContaining([
      { message_id: 'a-1', turn_model: 'gpt' }, { message_id: 'a-2', turn_model: 'gpt' },
      { message_id: 'a-3', turn_model: 'claude' }, { message_id: 'a-4', turn_model: 'claude' },
    ]));

    for (const migration of [groupedRollupFoldsMigration, groupedResponseFoldsMigration, undefined]) {
      for (const batch of [1, 2, 5, 100]) {
        // Events stored and folded at migration 026, at 027, or at the latest one.
        const db = databaseBefore(migration ?? groupedResponseFoldsMigration);
        if (migration === undefined) migrate(db, migrations);
        insertEvents(db);
        const materializer = new RollupMaterializer(db);
        while (materializer.foldBatch(batch) > 0);
        migrate(db, migrations);
        expect(folded(db), `before migration ${migration?.version ?? 'none'}, batches of ${batch}`).toEqual(expected);
      }
    }
  });

  it('passes only the events a remaining trigger acts on through the fold view, and every event on a database before it', () => {
    const before = databaseBefore(groupedRollupFoldsMigration);
    expect(perEventFoldSql(before)).toBe('INSERT INTO events_to_fold SELECT * FROM events NOT INDEXED WHERE id > @after AND id <= @through ORDER BY id');
    migrate(before, migrations);
    const triggers = before.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events_to_fold' ORDER BY name`).pluck().all();
    expect(triggers).toEqual(['fold_feedback_turn_model', 'fold_first_touch']);
    // Its event names compared as the schema stores them (codes since migration 035).
    expect(perEventFoldSql(before)).toBe(
      eventCodeComparisons(
        `INSERT INTO events_to_fold SELECT * FROM events NOT INDEXED WHERE id > @after AND id <= @through AND ((${PER_EVENT_FOLD_TRIGGERS.fold_feedback_turn_model}) OR (${PER_EVENT_FOLD_TRIGGERS.fold_first_touch})) ORDER BY id`,
      ),
    );
  });
});
