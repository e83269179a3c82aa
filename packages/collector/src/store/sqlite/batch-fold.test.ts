import { describe, expect, it } from 'vitest';
import { comparableRows, rollupOrders } from '../../../test/support/rollup-rows.js';
import { promptRecord } from '../../../test/support/event-record.js';
import type { EventRecord } from '../event-record.js';
import { float64BlobSql } from './migrations/float64-sql.js';
import type { SqliteStore } from './sqlite-store.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';

/** The batch part of the fold (batch-fold.ts) leaves the rollups as folding one event per batch does. */

/** 2026-03-02 09:00 UTC: quarter-hour 1_969_380 since the epoch. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const QUARTER = T0 / 900_000;
let messages = 0;

function event(userId: string, minutes: number, fields: Partial<EventRecord> = {}): EventRecord {
  messages += 1;
  return promptRecord({ messageId: `m-${messages}`, userId, sessionId: `s-${userId}`, conversationId: `c-${userId}`, timestamp: T0 + minutes * 60_000, ...fields });
}

function response(userId: string, minutes: number, fields: Partial<EventRecord> = {}): EventRecord {
  return event(userId, minutes, { event: 'ai_llm_response_received', ...fields });
}

const openStore = inMemoryStores();

/** The tables the batch part of the fold writes, and the one the quarters' trigger keeps. */
const BATCH_TABLES = {
  ...rollupOrders(['user_activity', 'user_first_activity', 'session_rollup', 'conversation_rollup', 'user_cost_rollup', 'user_conversation_quarters', 'user_conversation_entries', 'shared_conversations']),
  response_latencies: 'quarter, debug, model, intent, chunk',
  response_ttfts: 'quarter, debug, model, intent, chunk',
  response_token_rates: 'quarter, debug, model, intent, chunk',
};

function batchTables(store: SqliteStore): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(BATCH_TABLES).map(([table, order]) => [table, comparableRows(store.db, table, order)]));
}

/** The values of one key's chunks, chunk by chunk, in the order they were appended. */
function chunks(store: SqliteStore, table: string, list: string): { chunk: number; values: number[] }[] {
  const rows = store.db.prepare(`SELECT chunk, ${list} AS list FROM ${table} ORDER BY quarter, debug, model, intent, chunk`).all() as { chunk: number; list: Buffer }[];
  return rows.map(({ chunk, list: bytes }) => ({ chunk, values: Array.from({ length: bytes.length / 8 }, (_, index) => bytes.readDoubleBE(index * 8)) }));
}

/**
 * 250 responses of one key (three chunks' worth) with every value column,
 * NULL cost, model and intent among them, spread over two quarters; prompts
 * of a session and conversation that change user mid-way; a debug-only user.
 */
function mixedEvents(): EventRecord[] {
  const events: EventRecord[] = [];
  for (let index = 0; index < 250; index += 1) {
    const minutes = index % 20;
    events.push(
      response('ada', minutes, {
        latencyMs: 100 + index, timeToFirstTokenMs: index % 3 === 0 ? null : 10 + index, tokensPerSecond: 0.5 + index,
        cost: index % 4 === 0 ? null : 0.001 * index, promptTokens: index % 5 === 0 ? null : 10, completionTokens: 20, totalTokens: null,
        model: index % 7 === 0 ? null : 'm1', intent: index % 11 === 0 ? 'support' : null, conversationId: index % 9 === 0 ? null : `c-${index % 3}`,
        sessionId: 'shared', debug: index % 13 === 0,
      }),
    );
    if (index % 25 === 0) events.push(event(index < 125 ? 'ada' : 'bob', 30 - minutes, { sessionId: 'shared', conversationId: 'c-shared' }));
  }
  events.push(event('dev', 5, { debug: true }), event('dev', 2, { debug: true }), event('cy', 7, { conversationId: null, sessionId: null }));
  return events;
}

describe('batch fold', () => {
  it('folds one large batch as it folds the same events one per batch', async () => {
    const oneByOne = openStore();
    const batched = openStore();
    const events = mixedEvents();
    await oneByOne.insertEvents(events);
    await batched.insertEvents(events);

    while ((oneByOne.rollups?.foldBatch(1) ?? 0) > 0);
    // 30 events first, so that the next batch continues a chunk that already holds values.
    batched.rollups?.foldBatch(30);
    batched.rollups?.foldBatch(10_000);

    const expected = batchTables(oneByOne);
    expect((expected['response_latencies'] as { chunk: number }[]).some(({ chunk }) => chunk === 1)).toBe(true);
    expect(batchTables(batched)).toEqual(expected);
  });

  it('continues a key’s last chunk and starts a new one every 100 values, in id order', async () => {
    const store = openStore();
    await store.insertEvents(Array.from({ length: 250 }, (_, index) => response('ada', 1, { latencyMs: index + 0.5 })));

    store.rollups?.foldBatch(30);
    store.rollups?.foldBatch(150);
    store.rollups?.foldBatch(70);

    const lists = chunks(store, 'response_latencies', 'latencies');
    expect(lists.map(({ chunk, values }) => [chunk, values.length, values[0], values.at(-1)])).toEqual([
      [0, 100, 0.5, 99.5],
      [1, 100, 100.5, 199.5],
      [2, 50, 200.5, 249.5],
    ]);
  });

  it('gives a session the user of its last event in the batch and keeps each first and last time', async () => {
    const store = openStore();
    await store.insertEvents([
      event('ada', 10, { sessionId: 's', conversationId: 'c' }),
      response('ada', 3, { sessionId: 's', conversationId: 'c' }),
      event('bob', 7, { sessionId: 's', conversationId: 'c' }),
      response('bob', 12, { sessionId: 's', conversationId: 'c' }),
      event('dev', 4, { debug: true }),
      event('dev', 9),
    ]);

    store.rollups?.catchUp();

    expect(store.db.prepare('SELECT session_id, user_key, first_ts, last_ts, user_messages, bot_messages FROM session_rollup WHERE session_id = ?').get('s')).toEqual({
      session_id: 's', user_key: 'bob', first_ts: T0 + 3 * 60_000, last_ts: T0 + 12 * 60_000, user_messages: 2, bot_messages: 2,
    });
    expect(store.db.prepare('SELECT user_key, first_ts, prompts FROM conversation_rollup WHERE conversation_id = ?').get('c')).toEqual({
      user_key: 'bob', first_ts: T0 + 7 * 60_000, prompts: 2,
    });
    expect(store.db.prepare('SELECT user_key, first_ts, first_any_ts FROM user_first_activity ORDER BY user_key').all()).toEqual([
      { user_key: 'ada', first_ts: T0 + 10 * 60_000, first_any_ts: T0 + 10 * 60_000 },
      { user_key: 'bob', first_ts: T0 + 7 * 60_000, first_any_ts: T0 + 7 * 60_000 },
      { user_key: 'dev', first_ts: T0 + 9 * 60_000, first_any_ts: T0 + 4 * 60_000 },
    ]);
  });

  it('sums cost and tokens as TOTAL and SUM of COALESCE do: NULL adds nothing, a user with no cost gets 0', async () => {
    const store = openStore();
    await store.insertEvents([
      response('ada', 1, { cost: 0.1, promptTokens: 5, completionTokens: null, totalTokens: 7 }),
      response('ada', 2, { cost: null, promptTokens: null, completionTokens: 3, totalTokens: null }),
      response('ada', 3, { cost: 0.2 }),
      response('bob', 1, { cost: null }),
    ]);

    store.rollups?.catchUp();

    expect(store.db.prepare('SELECT quarter, user_key, responses, cost, prompt_tokens, completion_tokens, total_tokens, new_conversations FROM user_cost_rollup ORDER BY user_key').all()).toEqual([
      { quarter: QUARTER, user_key: 'ada', responses: 3, cost: 0.30000000000000004, prompt_tokens: 5, completion_tokens: 3, total_tokens: 7, new_conversations: 1 },
      { quarter: QUARTER, user_key: 'bob', responses: 1, cost: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, new_conversations: 1 },
    ]);
  });

  it('writes each value as the SQL encoding of migration 010 does, byte for byte', async () => {
    const values = [0, -0, -5, 1234.5, 0.1 + 0.2, 1e20, 2 ** 53 + 2, 5e-324, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MAX_VALUE];
    const store = openStore();
    await store.insertEvents(values.map((latencyMs) => response('ada', 1, { latencyMs })));

    store.rollups?.catchUp();

    const written = store.db.prepare('SELECT latencies FROM response_latencies').pluck().get() as Buffer;
    const encode = store.db.prepare(`SELECT ${float64BlobSql('@value')}`).pluck();
    const encoded = values.map((value) => encode.get({ value }) as Buffer);
    expect(written.toString('hex')).toBe(Buffer.concat(encoded).toString('hex'));
  });
});
