import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { comparableRows, rollupOrders } from '../../../../test/support/rollup-rows.js';
import { DAY_MS } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { migrate } from '../migrate.js';
import { SqliteMetrics } from '../metrics/sqlite-metrics.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { migrations } from './index.js';
import { receivedAtColumn } from '../../../../test/support/received-at-column.js';
import { storedEventColumns, storedEventNameFor } from '../../../../test/support/stored-event-columns.js';

/** Upgrading a database created under migration 009: the new tables start from what was folded, and answer as before. */

const NEW_TABLES = rollupOrders(['intent_flow_days', 'conversation_prompt_rollup']);
/** 2026-03-07 23:00 UTC: the prompts straddle a UTC midnight. */
const T0 = Date.UTC(2026, 2, 7, 23, 0);
const MARCH_7 = Date.UTC(2026, 2, 7) / DAY_MS;

interface Prompt {
  id: string;
  conversation: string;
  minutes: number;
  intent: string;
  debug: number;
}
/** Folded before the upgrade. */
const FOLDED: readonly Prompt[] = [
  { id: 'p-1', conversation: 'c-1', minutes: 0, intent: 'billing', debug: 0 },
  { id: 'p-2', conversation: 'c-1', minutes: 20, intent: 'tech', debug: 0 },
  { id: 'p-3', conversation: 'c-1', minutes: 70, intent: 'tech', debug: 0 },
  { id: 'p-4', conversation: 'c-2', minutes: 30, intent: 'sales', debug: 1 },
  { id: 'p-5', conversation: 'c-2', minutes: 90, intent: 'billing', debug: 0 },
];
/** Stored before the upgrade, folded after it. */
const WAITING: readonly Prompt[] = [
  { id: 'p-6', conversation: 'c-3', minutes: 100, intent: 'tech', debug: 0 },
  { id: 'p-7', conversation: 'c-3', minutes: 110, intent: 'sales', debug: 0 },
];

const databases: Database.Database[] = [];
function open(migrationCount?: number): Database.Database {
  const db = new Database(':memory:');
  databases.push(db);
  migrate(db, migrationCount === undefined ? migrations : migrations.slice(0, migrationCount));
  return db;
}
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

function insert(db: Database.Database, prompts: readonly Prompt[]): void {
  const received = receivedAtColumn(db);
  const stored = storedEventColumns(db);
  const statement = db.prepare(
    `INSERT INTO events (${stored('write_key, message_id, type, event, user_key, conversation_id, ts')}, ${received.column},
                         ${stored('context, intent, debug')})
     VALUES ('wk', @id, 'track', ${storedEventNameFor(db)("'ai_user_prompt_created'")}, 'ada', @conversation, @ts, ${received.value('@ts', '@ts')}, '{}', @intent, @debug)`,
  );
  for (const prompt of prompts) statement.run({ ...prompt, ts: T0 + prompt.minutes * 60_000 });
}

function scope(timeZone: string, day: number, startMs: number): MetricScope {
  return {
    fromDay: day, toDay: day, startMs, endMs: startMs + DAY_MS, calendar: new ZoneCalendar(timeZone, startMs - 40 * DAY_MS, startMs + 2 * DAY_MS),
    includeDebug: false, includeBots: false, includeInternal: false, filters: {},
  };
}

describe('migration 012: intent flows by UTC day', () => {
  it('fills its tables from the folded events as a database that always had them holds them, and answers the same', async () => {
    const upgraded = open(11);
    insert(upgraded, FOLDED);
    // The collector of schema 11 folded them. Its per-event triggers do it; today's materializer would also write
    // the tables of later migrations, which this schema does not have yet.
    upgraded.exec('INSERT INTO events_to_fold SELECT * FROM events ORDER BY id; UPDATE rollup_watermark SET folded_through = (SELECT MAX(id) FROM events)');
    insert(upgraded, WAITING);
    migrate(upgraded);
    const materializer = new RollupMaterializer(upgraded);
    expect(materializer.catchUp()).toBe(2);

    const always = open();
    insert(always, [...FOLDED, ...WAITING]);
    new RollupMaterializer(always).catchUp();
    for (const [table, order] of Object.entries(NEW_TABLES)) {
      expect(comparableRows(upgraded, table, order)).toEqual(comparableRows(always, table, order));
    }

    const metrics = new SqliteMetrics(upgraded, () => materializer.catchUp());
    // UTC 2026-03-08: c-1's third prompt, c-2's unflagged one, both of c-3.
    const utc = scope('UTC', MARCH_7 + 1, Date.UTC(2026, 2, 8));
    expect(await metrics.intentFlows(utc)).toEqual([{ from: 'tech', to: 'sales', count: 1 }]);
    expect(await metrics.intentFlowEnds(utc)).toEqual([
      { key: 'billing', count: 1 },
      { key: 'sales', count: 1 },
      { key: 'tech', count: 1 },
    ]);
    // New York 2026-03-07 (05:00–05:00 UTC): every prompt, the flagged one left out of c-2's chain.
    const newYork = scope('America/New_York', MARCH_7, Date.UTC(2026, 2, 7, 5));
    expect(await metrics.intentFlows(newYork)).toEqual([
      { from: 'billing', to: 'tech', count: 1 },
      { from: 'tech', to: 'sales', count: 1 },
      { from: 'tech', to: 'tech', count: 1 },
    ]);
    expect(await metrics.intentFlowEnds(newYork)).toEqual([
      { key: 'billing', count: 1 },
      { key: 'sales', count: 1 },
      { key: 'tech', count: 1 },
    ]);
  });
});
