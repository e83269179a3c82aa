import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { comparableRows, rollupOrders } from '../../../../test/support/rollup-rows.js';
import { temporaryDatabases } from '../../../../test/support/store-factory.js';
import { DAY_MS } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { migrate } from '../migrate.js';
import { SqliteStore } from '../sqlite-store.js';
import { migrations } from './index.js';
import { receivedAtColumn } from '../../../../test/support/received-at-column.js';
import { storedEventColumns, storedEventNameFor } from '../../../../test/support/stored-event-columns.js';

/** Upgrading a database of migration 010: its folded responses are backfilled, the rest folded afterwards, once. */

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const DAY = Math.floor(T0 / DAY_MS);
const TABLES = rollupOrders(['user_cost_rollup', 'user_conversation_quarters', 'user_conversation_entries', 'shared_conversations']);

const databases = temporaryDatabases();

/** Users with a plan (one whose traits SQLite cannot read), and their responses over two days, in several conversations. */
function storeEvents(db: Database.Database): void {
  const user = db.prepare('INSERT INTO users (user_key, traits, first_seen_ts, last_seen_ts) VALUES (?, ?, 0, 0)');
  user.run('ada', '{"plan":"pro"}');
  user.run('eve', '{"plan":"pro"}');
  user.run('bob', '{"plan":"free"}');
  user.run('cy', 'not json');
  const received = receivedAtColumn(db);
  const stored = storedEventColumns(db);
  const response = db.prepare(
    `INSERT INTO events (${stored('write_key, message_id, type, event, user_key, conversation_id, ts')}, ${received.column},
                         ${stored('context, cost, prompt_tokens, completion_tokens, total_tokens, debug')})
     VALUES ('wk', @id, 'track', ${storedEventNameFor(db)("'ai_llm_response_received'")}, @userKey, @conversation, @ts, ${received.value('@ts', '@ts')}, '{}', @cost, 10, 5, 15,
             @debug)`,
  );
  const rows: [user: string, conversation: string | null, minutes: number, cost: number, debug: number][] = [
    ['ada', 'c-1', 1, 0.5, 0],
    ['ada', 'c-1', -60 * 24, 0.25, 0],
    ['eve', 'c-1', 30, 1, 0],
    ['bob', 'c-2', 2, 2, 0],
    ['bob', 'c-2', 3, 8, 1],
    ['cy', null, 4, 4, 0],
    ['ada', 'c-3', 60, 0.125, 0],
    ['bob', 'c-2', 90, 1, 0],
  ];
  rows.forEach(([userKey, conversation, minutes, cost, debug], index) => {
    const ts = T0 + minutes * 60_000;
    response.run({ id: `m-${index}`, userKey, conversation, ts, cost, debug });
  });
}

function scopeOf(fromDay: number, toDay: number): MetricScope {
  const calendar = new ZoneCalendar('America/New_York', (fromDay - 31) * DAY_MS, (toDay + 2) * DAY_MS);
  return {
    fromDay, toDay, startMs: calendar.startOfDay(fromDay), endMs: calendar.startOfDay(toDay + 1), calendar,
    includeDebug: false, includeBots: false, includeInternal: false, filters: {},
  };
}

describe('migration 011: cost per user and quarter-hour', () => {
  it('backfills the responses an old database folded and folds the others, answering as a new database does', async () => {
    const oldPath = databases.path();
    const old = new Database(oldPath);
    migrate(old, migrations.slice(0, 10));
    storeEvents(old);
    // The old materializer had folded the first five events when the collector stopped.
    old.exec('INSERT INTO events_to_fold SELECT * FROM events WHERE id <= 5 ORDER BY id; UPDATE rollup_watermark SET folded_through = 5');
    old.close();

    const upgraded = new SqliteStore({ path: oldPath, rollups: { background: false } });
    databases.keep(upgraded);
    expect(upgraded.db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)?.version);
    expect(upgraded.db.prepare('SELECT SUM(responses) FROM user_cost_rollup').pluck().get()).toBe(5);

    const scope = scopeOf(DAY - 1, DAY);
    const answer = await upgraded.metrics.cost(scope, { by: 'segment', trait: 'plan' });
    const byKey = [...answer].sort((a, b) => String(a.key).localeCompare(String(b.key)));
    expect(byKey).toEqual([
      { key: 'free', cost: 3, promptTokens: 20, completionTokens: 10, totalTokens: 30, conversations: 1 },
      { key: null, cost: 4, promptTokens: 10, completionTokens: 5, totalTokens: 15, conversations: 0 },
      { key: 'pro', cost: 1.875, promptTokens: 40, completionTokens: 20, totalTokens: 60, conversations: 2 },
    ]);

    const fresh = new SqliteStore({ path: databases.path(), rollups: { background: false } });
    databases.keep(fresh);
    storeEvents(fresh.db);
    expect(await fresh.metrics.cost(scope, { by: 'segment', trait: 'plan' })).toEqual(answer);
    for (const [table, order] of Object.entries(TABLES)) {
      expect(comparableRows(upgraded.db, table, order), table).toEqual(comparableRows(fresh.db, table, order));
    }
  });
});
