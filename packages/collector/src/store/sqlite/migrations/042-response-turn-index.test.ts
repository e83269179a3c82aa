import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { databasesBefore, foldedMetrics } from '../../../../test/support/migration-database.js';
import { queryPlan } from '../../../../test/support/schema-queries.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { AI_EVENT } from '../../../protocol/index.js';
import type { EventRecord } from '../../event-record.js';
import { EventWriter } from '../event-writer.js';
import { migrate } from '../migrate.js';
import { serializeEvent } from '../serialized-event.js';
import { prepareStatements } from '../statements.js';
import { responseTurnIndexMigration } from './042-response-turn-index.js';
import { migrations } from './index.js';

/** Upgrading a database of migration 041: the responses of a turn are indexed without their model, and every answer stays. */

const DAY_MS = 86_400_000;
/** 2026-03-02 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 10);
const DAY = Math.floor(T0 / DAY_MS);

const openBefore = databasesBefore();

const minutes = (count: number): number => T0 + count * 60_000;

function response(messageId: string, conversationId: string, promptNumber: number | null, at: number, model: string | null, fields: Partial<EventRecord> = {}): EventRecord {
  return promptRecord({
    messageId, userId: 'ada', timestamp: at, event: AI_EVENT.responseReceived, conversationId, promptNumber, model, cost: 1,
    latencyMs: 800, promptTokens: 10, completionTokens: 20, totalTokens: 30, status: 'success', ...fields,
  });
}

function feedback(messageId: string, conversationId: string, promptNumber: number | null, at: number, fields: Partial<EventRecord> = {}): EventRecord {
  return promptRecord({
    messageId, userId: 'ada', timestamp: at, event: AI_EVENT.userAction, conversationId, promptNumber,
    actionType: 'feedback', feedbackType: 'rating', rating: 4, ...fields,
  });
}

/** Turns whose latest response has no model, feedback with and without a turn number, naming a response, and stored first. */
const BEFORE_UPGRADE: readonly EventRecord[] = [
  promptRecord({ messageId: 'p-1', userId: 'ada', timestamp: minutes(0), conversationId: 'c-1', promptNumber: 1 }),
  response('r-1', 'c-1', 1, minutes(1), 'gpt'),
  response('r-1-retry', 'c-1', 1, minutes(2), null),
  feedback('f-1', 'c-1', 1, minutes(3)),
  feedback('f-no-turn', 'c-1', null, minutes(3)),
  response('r-2', 'c-2', 1, minutes(5), 'claude', { responseId: 'resp-2' }),
  feedback('f-named', 'c-1', 1, minutes(6), { responseId: 'resp-2' }),
  feedback('f-early', 'c-3', 1, minutes(7)),
];

/** After the upgrade: the response of the early feedback's turn, and feedback of the turns stored before. */
const AFTER_UPGRADE: readonly EventRecord[] = [
  response('r-3', 'c-3', 1, minutes(6), 'llama'),
  feedback('f-later', 'c-1', 1, minutes(9)),
  feedback('f-later-no-turn', 'c-2', null, minutes(9)),
];

async function answers(db: Database.Database): Promise<unknown> {
  const metrics = foldedMetrics(db);
  const day = dayScope('UTC', DAY, DAY);
  const scope = (changes: Partial<MetricScope>): MetricScope => ({ ...day, ...changes });
  return {
    turnModels: db.prepare("SELECT message_id, turn_model FROM events WHERE event_code = '3' ORDER BY id").all(),
    byModel: await metrics.satisfaction(day, 'model'),
    // A conversation filter reads the conversation's responses and feedback from the events.
    conversationByModel: await metrics.satisfaction(scope({ filters: { conversationId: 'c-1' } }), 'model'),
    conversationLatency: await metrics.latency(scope({ filters: { conversationId: 'c-1' } }), 'model', 'latency'),
  };
}

describe('migration 042: the responses of a turn indexed without their model', () => {
  it('rebuilds events_response_turn on (conversation_id, prompt_number, ts), still the index of a turn’s model', () => {
    const db = openBefore(responseTurnIndexMigration);
    const columns = (): unknown[] => db.prepare("SELECT name FROM pragma_index_info('events_response_turn') ORDER BY seqno").pluck().all();
    expect(columns()).toEqual(['conversation_id', 'prompt_number', 'ts', 'model']);

    migrate(db, migrations);

    expect(columns()).toEqual(['conversation_id', 'prompt_number', 'ts']);
    const plan = queryPlan(db, prepareStatements(db).feedbackTurnModel.source, {
      model: null, writeKey: Buffer.from('1'), responseId: null, conversationId: 'c-1', promptNumber: 1, ts: 0,
    });
    expect(plan).toMatch(/USING INDEX events_response_turn \(conversation_id=\? AND prompt_number=\?\)/);
  });

  it('leaves every turn model and answer as on a database written by the new code', async () => {
    const before = openBefore(responseTurnIndexMigration);
    new EventWriter(before).insertGroup([BEFORE_UPGRADE.map(serializeEvent)]);
    const upgraded = openBefore.upgraded(before);
    const fresh = openBefore.fresh();
    new EventWriter(upgraded).insertGroup([AFTER_UPGRADE.map(serializeEvent)]);
    const writer = new EventWriter(fresh);
    writer.insertGroup([BEFORE_UPGRADE.map(serializeEvent)]);
    writer.insertGroup([AFTER_UPGRADE.map(serializeEvent)]);

    const expected = await answers(fresh);
    expect(expected).toMatchObject({
      turnModels: [
        { message_id: 'f-1', turn_model: 'gpt' },
        { message_id: 'f-no-turn', turn_model: 'gpt' },
        { message_id: 'f-named', turn_model: 'claude' },
        { message_id: 'f-early', turn_model: 'llama' },
        { message_id: 'f-later', turn_model: 'gpt' },
        { message_id: 'f-later-no-turn', turn_model: 'claude' },
      ],
    });
    expect(await answers(upgraded)).toEqual(expected);
  });
});
