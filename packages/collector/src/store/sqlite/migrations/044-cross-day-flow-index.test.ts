import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { databasesBefore, foldedMetrics } from '../../../../test/support/migration-database.js';
import type { EventRecord } from '../../event-record.js';
import { EventWriter } from '../event-writer.js';
import { migrate } from '../migrate.js';
import { serializeEvent } from '../serialized-event.js';
import { crossDayFlowIndexMigration } from './044-cross-day-flow-index.js';
import { migrations } from './index.js';

/** Upgrading a database of migration 043: the index of transitions by their earlier prompt keeps those that cross a UTC day, and flows stay. */

const DAY_MS = 86_400_000;
/** 2026-03-02, a UTC day. */
const DAY = Math.floor(Date.UTC(2026, 2, 2) / DAY_MS);
const at = (day: number, hour: number): number => (DAY + day) * DAY_MS + hour * 3_600_000;

const openBefore = databasesBefore();

function prompt(messageId: string, conversationId: string, promptNumber: number, ts: number, intent: string): EventRecord {
  return promptRecord({ messageId, userId: 'ada', timestamp: ts, conversationId, promptNumber, intent });
}

/**
 * Conversations within a UTC day and across one. A New York range starts at
 * 05:00 UTC, so its first UTC day is partial: the transition from that day's
 * evening into the next (a-1 → a-2) is the kind the index is read for.
 */
const PROMPTS: readonly EventRecord[] = [
  prompt('a-1', 'c-a', 1, at(0, 20), 'billing_payment'),
  prompt('a-2', 'c-a', 2, at(1, 9), 'technical_support'),
  prompt('b-1', 'c-b', 1, at(1, 2), 'product_inquiry'),
  prompt('b-2', 'c-b', 2, at(1, 3), 'billing_payment'),
  prompt('b-3', 'c-b', 3, at(2, 14), 'other'),
  prompt('c-1', 'c-c', 1, at(2, 10), 'support_returns'),
  prompt('c-2', 'c-c', 2, at(2, 11), 'support_returns'),
];

const indexSql = (db: Database.Database): unknown => db.prepare("SELECT sql FROM sqlite_master WHERE name = 'intent_flow_rollup_by_from'").pluck().get();
/** The entries the index holds, counted on its pages. */
const indexEntries = (db: Database.Database): unknown =>
  db.prepare("SELECT SUM(ncell) FROM dbstat WHERE name = 'intent_flow_rollup_by_from' AND pagetype = 'leaf'").pluck().get();

async function flows(db: Database.Database): Promise<unknown> {
  const metrics = foldedMetrics(db);
  const sortedFlows = async (timeZone: string): Promise<unknown> =>
    (await metrics.intentFlows(dayScope(timeZone, DAY, DAY + 2))).sort((x, y) => `${x.from}>${x.to}`.localeCompare(`${y.from}>${y.to}`));
  return { newYork: await sortedFlows('America/New_York'), utc: await sortedFlows('UTC'), ends: await metrics.intentFlowEnds(dayScope('America/New_York', DAY, DAY + 2)) };
}

describe('migration 044: transitions indexed by their earlier prompt only across a UTC day', () => {
  it('makes the index partial, and every flow answers as before the upgrade', async () => {
    const db = openBefore(crossDayFlowIndexMigration);
    new EventWriter(db).insertGroup([PROMPTS.map(serializeEvent)]);
    const before = await flows(db);
    expect(indexSql(db)).not.toMatch(/WHERE/);
    // Four transitions in each of the two chains (with and without debug traffic); two cross a UTC day.
    expect(db.prepare('SELECT COUNT(*) FROM intent_flow_rollup').pluck().get()).toBe(8);
    expect(indexEntries(db)).toBe(8);

    migrate(db, migrations);

    expect(indexSql(db)).toMatch(/WHERE from_quarter < to_quarter - to_quarter % 96$/);
    expect(indexEntries(db)).toBe(4);
    expect(await flows(db)).toEqual(before);
    expect(before).toMatchObject({
      newYork: [
        { from: 'billing_payment', to: 'other', count: 1 },
        { from: 'billing_payment', to: 'technical_support', count: 1 },
        { from: 'product_inquiry', to: 'billing_payment', count: 1 },
        { from: 'support_returns', to: 'support_returns', count: 1 },
      ],
    });
  });

  it('gives a database written by the new code the same flows', async () => {
    const before = openBefore(crossDayFlowIndexMigration);
    new EventWriter(before).insertGroup([PROMPTS.map(serializeEvent)]);
    const upgraded = openBefore.upgraded(before);
    const fresh = openBefore.fresh();
    new EventWriter(fresh).insertGroup([PROMPTS.map(serializeEvent)]);
    expect(await flows(fresh)).toEqual(await flows(upgraded));
  });
});
