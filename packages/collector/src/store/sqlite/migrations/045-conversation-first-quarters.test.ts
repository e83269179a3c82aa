import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { databasesBefore, foldedMetrics } from '../../../../test/support/migration-database.js';
import { comparableRows, rollupOrders } from '../../../../test/support/rollup-rows.js';
import { AI_EVENT } from '../../../protocol/index.js';
import type { EventRecord } from '../../event-record.js';
import { EventWriter } from '../event-writer.js';
import { migrate } from '../migrate.js';
import { serializeEvent } from '../serialized-event.js';
import { conversationFirstQuartersMigration } from './045-conversation-first-quarters.js';
import { migrations } from './index.js';

/** Upgrading a database of migration 044: users' conversation quarters keyed by conversation first, their upkeep and answers unchanged. */

const DAY_MS = 86_400_000;
/** 2026-03-02 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 10);
const DAY = Math.floor(T0 / DAY_MS);
const TABLES = rollupOrders(['user_cost_rollup', 'user_conversation_quarters', 'user_conversation_entries', 'shared_conversations']);

const openBefore = databasesBefore();

function response(messageId: string, user: { userId?: string; anonymousId?: string }, conversationId: string, minutes: number, cost: number): EventRecord {
  return promptRecord({
    messageId, userId: user.userId ?? null, anonymousId: user.anonymousId ?? null, timestamp: T0 + minutes * 60_000,
    event: AI_EVENT.responseReceived, conversationId, promptNumber: 1, model: 'gpt', cost, status: 'success',
  });
}

function identify(messageId: string, userId: string, anonymousId: string, minutes: number): EventRecord {
  return promptRecord({ messageId, userId, anonymousId, timestamp: T0 + minutes * 60_000, type: 'identify', event: null, traits: { plan: 'pro' } });
}

/** A conversation two users share, one user's conversation over two quarters, and an anonymous user's. */
const BEFORE_UPGRADE: readonly EventRecord[] = [
  identify('i-ada', 'ada', 'anon-ada', 0),
  identify('i-eve', 'eve', 'anon-eve', 0),
  response('r-1', { userId: 'ada' }, 'c-1', 1, 0.5),
  response('r-2', { userId: 'eve' }, 'c-1', 30, 1),
  response('r-3', { userId: 'ada' }, 'c-2', 2, 2),
  response('r-4', { userId: 'ada' }, 'c-2', 50, 4),
  response('r-5', { anonymousId: 'anon-cy' }, 'c-3', 3, 8),
];

/** The anonymous user identifies (their quarters move to them), a conversation goes on, and a new one is shared. */
const AFTER_UPGRADE: readonly EventRecord[] = [
  identify('i-cy', 'cy', 'anon-cy', 60),
  response('r-6', { userId: 'ada' }, 'c-2', 20, 0.25),
  response('r-7', { userId: 'cy' }, 'c-3', 70, 16),
  response('r-8', { userId: 'eve' }, 'c-4', 80, 32),
  response('r-9', { userId: 'cy' }, 'c-4', 95, 64),
];

async function answers(db: Database.Database): Promise<unknown> {
  const metrics = foldedMetrics(db);
  const tables = Object.fromEntries(Object.entries(TABLES).map(([table, order]) => [table, comparableRows(db, table, order)]));
  return { tables, bySegment: await metrics.cost(dayScope('America/New_York', DAY, DAY), { by: 'segment', trait: 'plan' }) };
}

describe("migration 045: users' conversation quarters keyed by conversation first", () => {
  it('reorders the key and drops the index it made redundant; the upkeep triggers read the key', () => {
    const db = openBefore(conversationFirstQuartersMigration);
    const key = (): unknown[] =>
      db.prepare("SELECT name FROM pragma_index_info((SELECT name FROM pragma_index_list('user_conversation_quarters') WHERE origin = 'pk')) ORDER BY seqno").pluck().all();
    const indexes = (): unknown[] => db.prepare("SELECT name FROM pragma_index_list('user_conversation_quarters') WHERE origin = 'c'").pluck().all();
    expect(key()).toEqual(['user_key', 'conversation_id', 'debug', 'quarter']);
    expect(indexes()).toEqual(['user_conversation_quarters_conversation']);

    migrate(db, migrations);

    expect(key()).toEqual(['conversation_id', 'user_key', 'debug', 'quarter']);
    expect(indexes()).toEqual([]);
    const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%user_conversation_quarters%'").all() as { name: string; sql: string }[];
    expect(triggers.map(({ name }) => name)).toEqual(expect.arrayContaining(['user_conversation_quarters_insert', 'user_conversation_quarters_delete', 'events_user_cost_relabel']));
    expect(triggers.filter(({ sql }) => sql.includes('INDEXED BY user_conversation_quarters_conversation'))).toEqual([]);
  });

  it('keeps every row, and the rollups and cost by segment equal those of a database written by the new code', async () => {
    const before = openBefore(conversationFirstQuartersMigration);
    new EventWriter(before).insertGroup([BEFORE_UPGRADE.map(serializeEvent)]);
    await foldedMetrics(before).cost(dayScope('UTC', DAY, DAY), { by: 'day' });
    const quartersBefore = comparableRows(before, 'user_conversation_quarters', TABLES['user_conversation_quarters'] as string);
    expect(quartersBefore).toHaveLength(5);
    const upgraded = openBefore.upgraded(before);
    expect(comparableRows(upgraded, 'user_conversation_quarters', TABLES['user_conversation_quarters'] as string)).toEqual(quartersBefore);
    const fresh = openBefore.fresh();
    const freshWriter = new EventWriter(fresh);
    freshWriter.insertGroup([BEFORE_UPGRADE.map(serializeEvent)]);
    await foldedMetrics(fresh).cost(dayScope('UTC', DAY, DAY), { by: 'day' });
    new EventWriter(upgraded).insertGroup([AFTER_UPGRADE.map(serializeEvent)]);
    freshWriter.insertGroup([AFTER_UPGRADE.map(serializeEvent)]);

    const expected = await answers(fresh);
    expect(expected).toMatchObject({ tables: { shared_conversations: [{ conversation_id: 'c-1' }, { conversation_id: 'c-4' }] } });
    expect(await answers(upgraded)).toEqual(expected);
  });
});
