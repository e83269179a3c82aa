import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../metrics/local-day.js';
import type { MetricFilters, MetricScope } from '../../../metrics/metric-scope.js';
import type { CostGroup } from '../../../metrics/metrics-source.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { migrate } from '../migrate.js';
import { SqliteMetrics } from '../metrics/sqlite-metrics.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { migrations } from './index.js';

/** Upgrading a database created under migration 012: two indexes go, one narrow one comes, the answers stay. */

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);
const MARCH_7 = Date.UTC(2026, 2, 7) / DAY_MS;

interface Response {
  id: string;
  user: string;
  conversation: string;
  minutes: number;
  model: string;
  intent: string;
  cost: number;
  tokens: [number, number, number];
  debug: number;
}
const RESPONSES: readonly Response[] = [
  { id: 'r-1', user: 'ada', conversation: 'c-1', minutes: 0, model: 'gpt', intent: 'billing', cost: 0.5, tokens: [10, 20, 30], debug: 0 },
  { id: 'r-2', user: 'ada', conversation: 'c-1', minutes: 5, model: 'gpt', intent: 'tech', cost: 0.25, tokens: [5, 5, 10], debug: 0 },
  { id: 'r-3', user: 'bob', conversation: 'c-2', minutes: 10, model: 'claude', intent: 'billing', cost: 1, tokens: [100, 50, 150], debug: 0 },
  { id: 'r-4', user: 'bob', conversation: 'c-3', minutes: 15, model: 'claude', intent: 'billing', cost: 2, tokens: [1, 1, 2], debug: 1 },
];

const databases: Database.Database[] = [];
function open(migrationCount: number): Database.Database {
  const db = new Database(':memory:');
  databases.push(db);
  migrate(db, migrations.slice(0, migrationCount));
  return db;
}
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

function insert(db: Database.Database): void {
  const statement = db.prepare(
    `INSERT INTO events (write_key, message_id, type, event, user_key, conversation_id, ts, received_at, context,
                         model, intent, cost, prompt_tokens, completion_tokens, total_tokens, debug)
     VALUES ('wk', @id, 'track', 'ai_llm_response_received', @user, @conversation, @ts, @ts, '{}',
             @model, @intent, @cost, @prompt, @completion, @total, @debug)`,
  );
  for (const { tokens: [prompt, completion, total], minutes, ...response } of RESPONSES) {
    statement.run({ ...response, ts: T0 + minutes * 60_000, prompt, completion, total });
  }
  db.prepare(`INSERT INTO users (user_key, traits, first_seen_ts, last_seen_ts) VALUES ('ada', '{"plan":"pro"}', ?, ?), ('bob', '{"plan":"free"}', ?, ?)`)
    .run(T0, T0, T0, T0);
}

function eventIndexes(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name`).pluck().all() as string[]);
}

function march7(filters: MetricFilters, includeDebug = false): MetricScope {
  const startMs = MARCH_7 * DAY_MS;
  return {
    fromDay: MARCH_7, toDay: MARCH_7, startMs, endMs: startMs + DAY_MS, calendar: new ZoneCalendar('UTC', startMs - 40 * DAY_MS, startMs + 2 * DAY_MS),
    includeDebug, includeBots: false, includeInternal: false, filters,
  };
}

const byKey = (groups: CostGroup[]): CostGroup[] => [...groups].sort((a, b) => String(a.key).localeCompare(String(b.key)));

/** The answers that read the events rather than the rollups, through the indexes this migration changes. */
async function fallbackAnswers(db: Database.Database): Promise<unknown> {
  const materializer = new RollupMaterializer(db);
  materializer.catchUp();
  const metrics = new SqliteMetrics(db, () => materializer.catchUp());
  return {
    // Conversations of one intent come from the responses (the entry rollups know no intent).
    billingByModel: byKey(await metrics.cost(march7({ intent: 'billing' }), { by: 'model' })),
    // Cost per segment with a model filter reads the responses.
    gptBySegment: await metrics.cost(march7({ model: 'gpt' }), { by: 'segment', trait: 'plan' }),
    // Debug traffic counted in: its conversations come from the responses.
    withDebug: await metrics.cost(march7({}, true), { by: 'total' }),
    live: await metrics.activeConversations(T0, march7({}), 10),
  };
}

describe('migration 013: lean events indexes', () => {
  it('drops events_event_ts and events_response_metrics, adds events_response_ts, and the fallback answers stay the same', async () => {
    const expected = {
      billingByModel: [
        { key: 'claude', cost: 1, promptTokens: 100, completionTokens: 50, totalTokens: 150, conversations: 1 },
        { key: 'gpt', cost: 0.5, promptTokens: 10, completionTokens: 20, totalTokens: 30, conversations: 1 },
      ],
      gptBySegment: [{ key: 'pro', cost: 0.75, promptTokens: 15, completionTokens: 25, totalTokens: 40, conversations: 1 }],
      withDebug: [{ key: null, cost: 3.75, promptTokens: 116, completionTokens: 76, totalTokens: 192, conversations: 3 }],
      live: {
        count: 2,
        conversations: [
          { conversationId: 'c-2', user: 'bob', messages: 1, lastMessageMs: T0 + 10 * 60_000 },
          { conversationId: 'c-1', user: 'ada', messages: 2, lastMessageMs: T0 + 5 * 60_000 },
        ],
      },
    };
    // The expected values are those the code before this migration gave on the same events (checked by hand
    // against the collector of commit bb2490d, whose queries name the dropped indexes and so cannot run here).
    const upgraded = open(12);
    insert(upgraded);
    expect(eventIndexes(upgraded)).toContain('events_event_ts');
    expect(eventIndexes(upgraded)).toContain('events_response_metrics');
    migrate(upgraded, migrations.slice(0, 13));

    expect(eventIndexes(upgraded)).toEqual([
      'events_anonymous',
      'events_conversation',
      'events_feedback_response',
      'events_feedback_turn',
      'events_feedback_turn_metrics',
      'events_response_id',
      'events_response_ts',
      'events_response_turn',
      'events_sdk_health',
      'events_session',
      'events_ts',
      'events_turn_intent',
      'events_user_channel',
      'events_user_ts',
      'sqlite_autoindex_events_1',
    ]);
    // Today's materializer folds into the tables of later migrations too; none of them adds or drops an events index.
    migrate(upgraded);
    expect(await fallbackAnswers(upgraded)).toEqual(expected);
  });
});
