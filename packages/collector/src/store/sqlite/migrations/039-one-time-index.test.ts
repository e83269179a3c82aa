import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { databasesBefore, foldedMetrics } from '../../../../test/support/migration-database.js';
import { queryPlan } from '../../../../test/support/schema-queries.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { AI_EVENT, SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import type { EventRecord } from '../../event-record.js';
import { EventWriter } from '../event-writer.js';
import { migrate } from '../migrate.js';
import { serializeEvent } from '../serialized-event.js';
import { migrations } from './index.js';
import { oneTimeIndexMigration } from './039-one-time-index.js';

/** Upgrading a database of migration 038: three indexes by time become one, and what reads them answers the same. */

const DAY_MS = 86_400_000;
/** 2026-03-02 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 10);
const DAY = Math.floor(T0 / DAY_MS);

const openBefore = databasesBefore();

const minutes = (count: number): number => T0 + count * 60_000;

function response(messageId: string, userId: string, conversationId: string, at: number, model: string, cost: number, debug = false): EventRecord {
  return promptRecord({
    messageId, userId, timestamp: at, event: AI_EVENT.responseReceived, conversationId, promptNumber: 1, model, cost,
    latencyMs: 800, promptTokens: 10, completionTokens: 20, totalTokens: 30, status: 'success', debug,
  });
}

function healthReport(messageId: string, browser: string, at: number, properties: Record<string, unknown>): EventRecord {
  return promptRecord({ messageId, userId: null, anonymousId: browser, timestamp: at, event: SDK_HEALTH_EVENT, properties });
}

const RECORDS: readonly EventRecord[] = [
  promptRecord({ messageId: 'i-1', userId: 'ada', timestamp: minutes(-5), type: 'identify', event: null, traits: { plan: 'pro' } }),
  promptRecord({ messageId: 'i-2', userId: 'bob', timestamp: minutes(-5), type: 'identify', event: null, traits: { plan: 'free' } }),
  promptRecord({ messageId: 'p-1', userId: 'ada', timestamp: minutes(0), conversationId: 'c-1', promptNumber: 1 }),
  response('r-1', 'ada', 'c-1', minutes(1), 'gpt', 0.5),
  promptRecord({ messageId: 'p-2', userId: 'bob', timestamp: minutes(10), conversationId: 'c-2', promptNumber: 1 }),
  response('r-2', 'bob', 'c-2', minutes(11), 'claude', 1),
  response('r-3', 'bob', 'c-3', minutes(20), 'gpt', 2, true),
  healthReport('h-1', 'anon-1', minutes(2), { queued: 4, sent: 3, retried: 1, storage: 'indexeddb' }),
  healthReport('h-2', 'anon-2', minutes(40), { queued: 2, sent: 1, dropped_queue_full: 1, storage: 'memory' }),
];

/** The answers that read events by time: responses where the rollups cannot answer, health reports, live conversations. */
async function timeRangeAnswers(db: Database.Database): Promise<unknown> {
  const metrics = foldedMetrics(db);
  const day = dayScope('UTC', DAY, DAY);
  const scope = (changes: Partial<MetricScope>): MetricScope => ({ ...day, ...changes });
  return {
    // Cost per segment with a model filter, or with debug traffic, reads the responses of the range.
    gptBySegment: await metrics.cost(scope({ filters: { model: 'gpt' } }), { by: 'segment', trait: 'plan' }),
    withDebugBySegment: await metrics.cost(scope({ includeDebug: true }), { by: 'segment', trait: 'plan' }),
    // Quarter-aligned: from the health lists, written from the reports by quarter; off quarter-hours: the reports.
    delivery: await metrics.delivery(day),
    deliveryOffQuarters: await metrics.delivery(scope({ startMs: day.startMs - 1 })),
    live: await metrics.activeConversations(minutes(-1), { includeDebug: false, includeBots: false, includeInternal: false }, 10),
  };
}

const indexesOfEvents = (db: Database.Database): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];

describe('migration 039: one index by time and event code', () => {
  it('replaces events_ts, events_response_ts and events_sdk_health by events_ts on (ts, event_code)', () => {
    const db = openBefore(oneTimeIndexMigration);
    expect(indexesOfEvents(db)).toEqual(expect.arrayContaining(['events_response_ts', 'events_sdk_health', 'events_ts']));

    migrate(db, migrations.slice(0, oneTimeIndexMigration.version));

    const timeIndexes = indexesOfEvents(db).filter((name) => /_ts$|health/.test(name));
    expect(timeIndexes).toEqual(['events_ts', 'events_user_ts']);
    expect(db.prepare("SELECT name FROM pragma_index_info('events_ts') ORDER BY seqno").pluck().all()).toEqual(['ts', 'event_code']);
    // A range of one kind is tested in the index entry: the responses of a range need no row of another kind.
    expect(queryPlan(db, "SELECT ts FROM events INDEXED BY events_ts WHERE event_code = '2' AND ts >= 0 AND ts < 10")).toMatch(
      /COVERING INDEX events_ts \(ts>\? AND ts<\?\)/,
    );
  });

  it('answers what read the three indexes as before', async () => {
    const before = openBefore(oneTimeIndexMigration);
    new EventWriter(before).insertGroup([RECORDS.map(serializeEvent)]);
    const upgraded = openBefore.upgraded(before);
    const expected = await timeRangeAnswers(before);
    expect(expected).toMatchObject({
      gptBySegment: [{ key: 'pro', cost: 0.5 }],
      delivery: { total: { reports: 2, queued: 6, sent: 4, retried: 1, droppedQueueFull: 1 } },
      live: { count: 2 },
    });
    expect(await timeRangeAnswers(upgraded)).toEqual(expected);
  });
});
