import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { comparableRows, ROLLUP_ORDERS } from '../../../../test/support/rollup-rows.js';
import { AI_EVENT } from '../../../protocol/index.js';
import type { EventRecord } from '../../event-record.js';
import { EventWriter } from '../event-writer.js';
import { exportEventPages } from '../export-queries.js';
import { SqliteMetrics } from '../metrics/sqlite-metrics.js';
import { migrate } from '../migrate.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { serializeEvent } from '../serialized-event.js';
import { idFromStored } from '../session-conversation-ids.js';
import { migrations } from './index.js';
import { SESSION_CONVERSATION_ID_COLUMNS, sessionConversationIdsMigration } from './041-session-conversation-ids.js';

const DAY_MS = 86_400_000;
/** 2026-03-09 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 9, 10);
const DAY = Math.floor(T0 / DAY_MS);
const SESSION = '01890a5d-ac96-774b-bcce-b302099a8057';
const CONVERSATION = '01890a5d-ac96-7c4b-8cce-b302099a8058';
const EVERYONE = { includeDebug: false, includeBots: false, includeInternal: false };

const openBefore = databasesBefore();
const minutes = (count: number): number => T0 + count * 60_000;

function turn(id: string, userId: string, sessionId: string, conversationId: string, promptNumber: number, at: number): EventRecord[] {
  const fields = { userId, sessionId, conversationId, promptNumber };
  return [
    promptRecord({ ...fields, messageId: `p-${id}`, timestamp: at, intent: 'billing_payment' }),
    promptRecord({
      ...fields, messageId: `r-${id}`, timestamp: at + 1_000, event: AI_EVENT.responseReceived, model: 'gpt', cost: 0.5,
      latencyMs: 800, promptTokens: 10, completionTokens: 20, totalTokens: 30, status: 'success',
    }),
  ];
}

/** SDK ids (lowercase UUIDs), an uppercase UUID, and ids that start with ~ (both `~x` and `~~x`, which a keyed table must not mix up). */
const RECORDS: readonly EventRecord[] = [
  ...turn('1', 'ada', SESSION, CONVERSATION, 1, minutes(0)),
  ...turn('2', 'ada', SESSION, CONVERSATION, 2, minutes(1)),
  ...turn('3', 'bob', SESSION.toUpperCase(), '~x', 1, minutes(2)),
  ...turn('4', 'bob', '~s', '~~x', 1, minutes(3)),
  ...turn('5', 'cy', 's-1', 'c-1', 1, minutes(4)),
];
/** After the upgrade: the UUID session and conversation go on, and so do the ~ ones. */
const LATER: readonly EventRecord[] = [...turn('6', 'ada', SESSION, CONVERSATION, 3, minutes(5)), ...turn('7', 'bob', '~s', '~x', 2, minutes(6))];

function fold(db: Database.Database): void {
  const materializer = new RollupMaterializer(db);
  materializer.catchUp();
  materializer.refreshAllLists();
}

/** A database of migration 040 holding `records` as the collector of then stored them: the ids as sent. */
function storedBefore(records: readonly EventRecord[]): Database.Database {
  const db = openBefore(sessionConversationIdsMigration);
  new EventWriter(db).insertGroup([records.map(serializeEvent)]);
  db.function('id_as_sent', (stored: unknown) => (typeof stored === 'string' ? idFromStored(stored) : stored));
  db.exec('UPDATE events SET session_id = id_as_sent(session_id), conversation_id = id_as_sent(conversation_id)');
  fold(db);
  return db;
}

function storedNow(records: readonly EventRecord[]): Database.Database {
  const db = new Database(':memory:');
  migrate(db, migrations);
  new EventWriter(db).insertGroup([records.map(serializeEvent)]);
  fold(db);
  return db;
}

/** The order that makes each table's rows comparable: the rollups', and the two tables they leave out. */
const ORDERS: Readonly<Record<string, string>> = { ...ROLLUP_ORDERS, events: 'id', session_user_keys: 'session_id, user_key' };

/** Every table that holds the ids, rows in a stable order. */
function idTables(db: Database.Database): Record<string, unknown[]> {
  return Object.fromEntries(
    [...new Set(SESSION_CONVERSATION_ID_COLUMNS.map(({ table }) => table))].map((table) => {
      const order = ORDERS[table];
      if (order === undefined) throw new Error(`no comparable order for ${table}`);
      return [table, comparableRows(db, table, order)];
    }),
  );
}

async function answers(db: Database.Database): Promise<unknown> {
  const materializer = new RollupMaterializer(db);
  const metrics = new SqliteMetrics(db, () => materializer.catchUp());
  const day = dayScope('UTC', DAY, DAY);
  const exported: unknown[] = [];
  for await (const page of exportEventPages(db, { fromMs: 0, toMs: T0 + DAY_MS })) {
    exported.push(...page.map(({ message_id, session_id, conversation_id }) => [message_id, session_id, conversation_id]));
  }
  return {
    session: await metrics.sessionById(SESSION, EVERYONE),
    tildeSession: await metrics.sessionById('~s', EVERYONE),
    upperSession: await metrics.sessionById(SESSION.toUpperCase(), EVERYONE),
    sessions: await metrics.sessionTotals(day),
    conversations: await metrics.conversationTotals(day),
    flows: await metrics.intentFlows(day),
    perUser: await metrics.conversationsByUser(day, 10),
    costOfConversation: await metrics.cost({ ...day, filters: { conversationId: CONVERSATION } }, { by: 'total' }),
    costOfTilde: await metrics.cost({ ...day, filters: { conversationId: '~x' } }, { by: 'total' }),
    live: await metrics.activeConversations(minutes(-1), EVERYONE, 10),
    exported,
  };
}

describe('migration 041: canonical UUID session and conversation ids stored in 23 characters', () => {
  it('converts every table that holds the ids to what the collector now stores, and metrics answer the same', async () => {
    const before = storedBefore(RECORDS);
    expect(before.prepare('SELECT DISTINCT conversation_id FROM conversation_rollup ORDER BY 1').pluck().all()).toEqual([CONVERSATION, 'c-1', '~x', '~~x']);

    migrate(before, migrations);
    const now = storedNow(RECORDS);
    expect(idTables(before)).toEqual(idTables(now));
    expect(before.prepare('SELECT DISTINCT length(session_id) FROM session_rollup WHERE session_id GLOB ?').pluck().all('~[^~]*')).toEqual([23]);
    const expected = await answers(now);
    expect(await answers(before)).toEqual(expected);
    expect(expected).toMatchObject({
      session: { userMessages: 2, botMessages: 2 },
      tildeSession: { userMessages: 1, botMessages: 1 },
      costOfConversation: [{ cost: 1 }],
      costOfTilde: [{ cost: 0.5 }],
      live: { count: 4, conversations: [{ conversationId: 'c-1' }, { conversationId: '~~x' }, { conversationId: '~x' }, { conversationId: CONVERSATION }] },
    });
    expect((expected as { exported: unknown[] }).exported).toContainEqual(['p-1', SESSION, CONVERSATION]);
    expect((expected as { exported: unknown[] }).exported).toContainEqual(['p-4', '~s', '~~x']);

    // Sessions and conversations that go on after the upgrade meet their earlier rows.
    new EventWriter(before).insertGroup([LATER.map(serializeEvent)]);
    fold(before);
    const continued = storedNow([...RECORDS, ...LATER]);
    expect(idTables(before)).toEqual(idTables(continued));
    expect(await answers(before)).toEqual(await answers(continued));
    expect(await new SqliteMetrics(before, () => {}).sessionById(SESSION, EVERYONE)).toMatchObject({ userMessages: 3, botMessages: 3 });
  });
});
