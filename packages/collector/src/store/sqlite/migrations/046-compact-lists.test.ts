import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { databasesBefore, foldedMetrics } from '../../../../test/support/migration-database.js';
import { AI_EVENT } from '../../../protocol/index.js';
import type { EventRecord } from '../../event-record.js';
import { FORMAT_MARK, readCompactValues } from '../compact-values.js';
import { EventWriter } from '../event-writer.js';
import { writeFloat64Values } from '../metrics/float64-values.js';
import { packedLists, packLists } from '../quarter-list-days.js';
import { serializeEvent } from '../serialized-event.js';
import { compactListsMigration } from './046-compact-lists.js';

/** Upgrading a database of migration 045: the fold's lists of 8-byte doubles become compact lists, value for value. */

const DAY_MS = 86_400_000;
/** 2026-03-02 (a Monday) 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9);
const DAY = Math.floor(T0 / DAY_MS);
const DAYS = 24;

const openBefore = databasesBefore();

/** Three users over 24 days (four weeks): a session a day for most of them, with fractional costs and long durations. */
function records(): EventRecord[] {
  const events: EventRecord[] = [];
  for (let day = 0; day < DAYS; day += 1) {
    for (const [index, userId] of ['ada', 'bob', 'cy'].entries()) {
      if ((day + index) % 4 === 3) continue;
      const at = T0 + day * DAY_MS + index * 3_600_000;
      const fields = { userId, sessionId: `s-${userId}-${day}`, conversationId: `c-${userId}-${day}` };
      for (let prompt = 1; prompt <= 1 + ((day + index) % 3); prompt += 1) {
        const promptAt = at + prompt * 1_234_567;
        events.push(
          promptRecord({ ...fields, messageId: `p-${userId}-${day}-${prompt}`, timestamp: promptAt, promptNumber: prompt }),
          promptRecord({
            ...fields, messageId: `r-${userId}-${day}-${prompt}`, timestamp: promptAt + 900, event: AI_EVENT.responseReceived,
            promptNumber: prompt, model: 'gpt', cost: 0.001 * (day + 1) + index / 3, latencyMs: 800, promptTokens: 10 * prompt,
            completionTokens: 20, totalTokens: 10 * prompt + 20, status: 'success',
          }),
        );
      }
    }
  }
  return events;
}

/** Every list column migration 046 converts, with its key. */
const LIST_TABLES = {
  session_lists: 'quarter, entries',
  conversation_lists: 'quarter, entries',
  activity_steps: 'quarter, entries',
  user_cost_lists: 'quarter, entries',
  user_cost_week_lists: 'week, entries',
  session_days: 'day, durations',
  conversation_lists_days: 'day, quarters, entries',
  activity_steps_days: 'day, quarters, entries',
} as const;
type ListTable = keyof typeof LIST_TABLES;

function rowsOf(db: Database.Database, table: ListTable): unknown[][] {
  const columns = LIST_TABLES[table];
  return db.prepare(`SELECT ${columns} FROM ${table} ORDER BY ${columns.split(',')[0] as string}`).raw().all() as unknown[][];
}

/** Events written and folded, every list written. */
function written(db: Database.Database): Database.Database {
  new EventWriter(db).insertGroup([records().map(serializeEvent)]);
  foldedMetrics(db);
  return db;
}

/** A compact list as the collector before 046 wrote it: each value a big-endian binary64. */
const binary64List = (list: Buffer): Buffer => writeFloat64Values(readCompactValues(list));

/** Turns `table`'s lists back into the format before migration 046 (day packs list by list, with their byte lengths). */
function toFormatBefore(db: Database.Database, table: ListTable): void {
  const [key, ...columns] = LIST_TABLES[table].split(', ') as [string, ...string[]];
  for (const row of rowsOf(db, table) as [number, ...Buffer[]][]) {
    const [at] = row;
    if (columns.length === 1) {
      db.prepare(`UPDATE ${table} SET ${columns[0] as string} = ? WHERE ${key} = ?`).run(binary64List(row[1] as Buffer), at);
      continue;
    }
    const pack = packLists(packedLists(row[1] as Buffer, row[2] as Buffer).map(([quarter, list]) => [quarter, binary64List(list)] as const));
    db.prepare(`UPDATE ${table} SET quarters = ?, entries = ? WHERE day = ?`).run(pack.quarters, pack.entries, at);
  }
}

async function answers(db: Database.Database): Promise<unknown> {
  const metrics = foldedMetrics(db);
  const scope = dayScope('America/New_York', DAY, DAY + DAYS);
  return {
    sessions: await metrics.sessionTotals(scope),
    conversations: await metrics.conversationTotals(scope),
    activeUsers: await metrics.activeUsers(scope),
    costBySegment: await metrics.cost(scope, { by: 'segment', trait: 'plan' }),
  };
}

describe('migration 046: compact lists', () => {
  it('converts every list of 8-byte values, value for value, into the lists the new code writes', async () => {
    const fresh = written(openBefore.fresh());
    const before = written(openBefore(compactListsMigration));
    // session_lists stays as the new code wrote it: the migration leaves a list with the mark alone.
    const converted = (Object.keys(LIST_TABLES) as ListTable[]).filter((table) => table !== 'session_lists');
    for (const table of converted) toFormatBefore(before, table);

    for (const table of Object.keys(LIST_TABLES) as ListTable[]) {
      const rows = rowsOf(fresh, table);
      expect(rows.length, table).toBeGreaterThan(0);
      const lists = rowsOf(before, table).map((row) => row.at(-1) as Buffer);
      expect(lists.every((list) => (list[0] === FORMAT_MARK) === (table === 'session_lists')), table).toBe(true);
    }

    const upgraded = openBefore.upgraded(before);

    for (const table of Object.keys(LIST_TABLES) as ListTable[]) expect(rowsOf(upgraded, table), table).toEqual(rowsOf(fresh, table));
    expect(await answers(upgraded)).toEqual(await answers(fresh));
  });

  it('refuses a list of the format before, as a reader of a file that skipped the migration would meet it', () => {
    const before = written(openBefore(compactListsMigration));
    toFormatBefore(before, 'session_days');
    const [, durations] = rowsOf(before, 'session_days')[0] as [number, Buffer];
    expect(() => readCompactValues(durations)).toThrow(/not the mark 0xff/);
  });
});
