import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ZoneCalendar } from '../src/metrics/zone-calendar.js';
import type { MetricScope } from '../src/metrics/metric-scope.js';
import { migrateClickHouse, openClickHouseStore, type ClickHouseStore, type ClickHouseStoreOptions } from '../src/store/clickhouse/index.js';
import type { EventRecord } from '../src/store/event-record.js';
import type { ExportedEvent } from '../src/store/event-export.js';
import { openClickHouseConnection } from '../src/store/clickhouse/clickhouse-connection.js';
import { clickHouseTables } from '../src/store/clickhouse/clickhouse-tables.js';
import { exportEventPages } from '../src/store/clickhouse/export-pages.js';
import { applyClickHouseMigrations } from '../src/store/clickhouse/migrate-clickhouse.js';
import { clickHouseMigrations } from '../src/store/clickhouse/migrations/index.js';
import { describeWithClickHouse, startClickHouse, type StartedClickHouse } from './support/clickhouse-server.js';

const DAY_MS = 86_400_000;
const MARCH_1 = Date.UTC(2026, 2, 1);

function record(messageId: string, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    writeKey: 'wk', messageId, type: 'track', event: 'ai_user_prompt_created', userId: 'u1', anonymousId: null, previousId: null,
    sessionId: 's1', conversationId: 'c1', promptNumber: 1, timestamp: MARCH_1 + 3_600_000, originalTimestamp: null, sentAt: null,
    receivedAt: MARCH_1 + 3_600_000, latencyMs: null, timeToFirstTokenMs: null, tokensPerSecond: null, responseId: null,
    regeneratedFrom: null, promptTokens: null, completionTokens: null, totalTokens: null, cost: null, model: null, status: null,
    errorType: null, intent: null, actionType: null, feedbackType: null, feedbackValue: null, rating: null, thumbsUp: null,
    debug: false, bot: false, internal: false, properties: {}, context: {}, acquisitionChannel: null, traits: null, extra: {}, pendingPromptText: null,
    ingestClassificationUsage: null, ...overrides,
  };
}

function scopeOfMarch(): MetricScope {
  const fromDay = MARCH_1 / DAY_MS;
  return {
    fromDay, toDay: fromDay + 9, startMs: MARCH_1, endMs: MARCH_1 + 10 * DAY_MS,
    calendar: new ZoneCalendar('UTC', MARCH_1 - 40 * DAY_MS, MARCH_1 + 11 * DAY_MS), includeDebug: false, includeBots: false, includeInternal: false, filters: {},
  };
}

async function exportAll(store: ClickHouseStore): Promise<ExportedEvent[]> {
  const events: ExportedEvent[] = [];
  for await (const page of store.exportEvents({ fromMs: 0, toMs: MARCH_1 + 100 * DAY_MS })) events.push(...page);
  return events;
}

describeWithClickHouse('ClickHouse store', () => {
  let server: StartedClickHouse;
  let directory: string;
  let databases = 0;
  const open: ClickHouseStore[] = [];

  // Starting a server takes seconds alone, much longer while the whole suite runs beside it.
  beforeAll(async () => {
    server = await startClickHouse();
    directory = mkdtempSync(join(tmpdir(), 'chatmeter-clickhouse-store-'));
  }, 180_000);

  afterAll(async () => {
    for (const store of open) await store.close();
    await server?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  function freshOptions(): ClickHouseStoreOptions {
    databases += 1;
    return { url: server.url, database: `store_${databases}`, queuePath: join(directory, `queue-${databases}.db`) };
  }

  async function openStore(options: ClickHouseStoreOptions): Promise<ClickHouseStore> {
    const store = await openClickHouseStore(options);
    open.push(store);
    return store;
  }

  it('migrates a new database once and finds nothing to do the second time', async () => {
    const options = freshOptions();
    expect(await migrateClickHouse(options)).toEqual({
      applied: [
        '1 events, identities, user traits, prompt intents, classification usage, settings',
        '2 bot and internal flags per user',
        '3 prompt activity, session and conversation rollups',
      ],
    });
    expect(await migrateClickHouse(options)).toEqual({ applied: [] });
  });

  it('refuses a schema written by a newer collector, naming the versions', async () => {
    const options = freshOptions();
    await migrateClickHouse(options);
    await server.query(`INSERT INTO ${options.database}.chatmeter_schema (version, name, applied_at) VALUES (99, 'future', now())`);
    await expect(migrateClickHouse(options)).rejects.toThrow(`ClickHouse database ${options.database} has schema version 99, newer than this collector supports (3)`);
  });

  it('names the server and database when it cannot be reached', async () => {
    await expect(openClickHouseStore({ url: 'http://127.0.0.1:9', database: 'nowhere' })).rejects.toThrow(/cannot open database http:\/\/127\.0\.0\.1:9 database nowhere/);
  });

  it('names the queue file when its directory does not exist', async () => {
    const options = { ...freshOptions(), queuePath: join(directory, 'missing', 'queue.db') };
    await expect(openClickHouseStore(options)).rejects.toThrow(`cannot open database ${options.queuePath} (classification queue)`);
  });

  it('reports a message a second collector already stored as a duplicate, and stores it once', async () => {
    const options = freshOptions();
    const first = await openStore(options);
    const second = await openStore(options);
    expect(await first.hasEvents()).toBe(false);
    expect(await first.insertEvents([record('m-1'), record('m-2')])).toEqual({ inserted: 2, duplicates: 0 });
    expect(await second.insertEvents([record('m-2'), record('m-3'), record('m-3')])).toEqual({ inserted: 1, duplicates: 2 });
    expect(await first.hasEvents()).toBe(true);
    expect((await exportAll(second)).map((event) => event.message_id)).toEqual(['m-1', 'm-2', 'm-3']);
  });

  it('counts a message stored twice (a retry racing at two collectors) once in metrics and export', async () => {
    const options = freshOptions();
    const store = await openStore(options);
    await store.insertEvents([record('m-1'), record('m-2', { userId: 'u2', conversationId: 'c2' })]);
    // The second copy bypasses the look-up, as a simultaneous insert at another collector would (merge_version from the column's DEFAULT).
    await server.query(
      `INSERT INTO ${options.database}.events (write_key, message_id, type, event, user_id, conversation_id, session_id, ts, received_at, traffic, from_sdk, properties, context)
       VALUES ('wk', 'm-1', 'track', 'ai_user_prompt_created', 'u1', 'c1', 's1', ${MARCH_1 + 3_600_050}, ${MARCH_1 + 3_600_050}, 0, 0, '{}', '{}')`,
    );
    const scope = scopeOfMarch();
    expect((await store.metrics.activeUsers(scope))[0]).toEqual({ day: MARCH_1 / DAY_MS, dau: 2, wau: 2, mau: 2 });
    expect(await store.metrics.conversationTotals(scope)).toEqual({ conversations: 2, users: 2, prompts: 2 });
    expect(await store.metrics.sessionTotals(scope)).toMatchObject({ sessions: 1, messages: 2, prompts: 2 });
    const firstCopies = [
      ['m-1', '2026-03-01T01:00:00.000Z'],
      ['m-2', '2026-03-01T01:00:00.000Z'],
    ];
    expect((await exportAll(store)).map((event) => [event.message_id, event.timestamp])).toEqual(firstCopies);
    // A merge keeps the same copy the reads keep: the first received.
    await server.query(`OPTIMIZE TABLE ${options.database}.events FINAL`);
    expect(await server.query(`SELECT count() FROM ${options.database}.events FORMAT TSV`)).toBe('2\n');
    expect((await exportAll(store)).map((event) => [event.message_id, event.timestamp])).toEqual(firstCopies);
  });

  it('fills the rollups of migration 3 with the events stored before it, and keeps them fed', async () => {
    const fixture = [
      record('p-1'),
      record('r-1', { event: 'ai_llm_response_received', timestamp: MARCH_1 + 3_660_000, receivedAt: MARCH_1 + 3_660_000 }),
      record('p-2', { userId: null, anonymousId: 'a-2', sessionId: 's2', timestamp: MARCH_1 + 2 * DAY_MS }),
    ];
    const reference = await openStore(freshOptions());
    await reference.insertEvents(fixture);
    // An older schema (migrations 1 and 2) holding the same events, then the upgrade.
    const upgraded = freshOptions();
    const connection = openClickHouseConnection(upgraded);
    try {
      await applyClickHouseMigrations(connection, clickHouseTables(upgraded.database, undefined), clickHouseMigrations.slice(0, 2));
    } finally {
      await connection.close();
    }
    await server.query(`INSERT INTO ${upgraded.database}.events SELECT * FROM store_${databases - 1}.events`);
    expect(await migrateClickHouse(upgraded)).toEqual({ applied: ['3 prompt activity, session and conversation rollups'] });
    const store = await openStore(upgraded);
    const scope = scopeOfMarch();
    const answers = async (source: ClickHouseStore): Promise<unknown[]> => [
      await source.metrics.activeUsers(scope),
      await source.metrics.retention(scope, 'first_seen', [1, 2]),
      await source.metrics.sessionTotals(scope),
    ];
    expect(await answers(store)).toEqual(await answers(reference));
    expect((await store.metrics.sessionTotals(scope)).sessions).toBe(2);
    await store.insertEvents([record('p-3', { userId: 'u3', sessionId: 's3', timestamp: MARCH_1 + 3 * DAY_MS })]);
    expect((await store.metrics.sessionTotals(scope)).sessions).toBe(3);
    expect((await store.metrics.activeUsers(scope)).find((row) => row.day === MARCH_1 / DAY_MS + 3)?.dau).toBe(1);
  });

  it('exports in pages of the requested size, in the order received, each message once', async () => {
    const options = freshOptions();
    const store = await openStore(options);
    await store.insertEvents([record('m-3', { receivedAt: MARCH_1 + 3 })]);
    await store.insertEvents([record('m-1', { receivedAt: MARCH_1 + 1 }), record('m-2', { receivedAt: MARCH_1 + 2 })]);
    await store.insertEvents([record('m-4', { receivedAt: MARCH_1 + 4 }), record('m-5', { receivedAt: MARCH_1 + 5 })]);
    const connection = openClickHouseConnection(options);
    const pages: string[][] = [];
    try {
      for await (const page of exportEventPages(connection, clickHouseTables(options.database, undefined), { fromMs: MARCH_1, toMs: MARCH_1 + 5 }, 2)) {
        pages.push(page.map((event) => event.message_id));
      }
    } finally {
      await connection.close();
    }
    expect(pages).toEqual([['m-1', 'm-2'], ['m-3', 'm-4']]);
  });

  it('exports a late copy of a message once, at its first copy, across page windows', async () => {
    const options = freshOptions();
    const store = await openStore(options);
    await store.insertEvents([record('m-1', { receivedAt: MARCH_1 + 1 }), record('m-2', { receivedAt: MARCH_1 + 2 })]);
    await store.insertEvents([record('m-3', { receivedAt: MARCH_1 + 3 }), record('m-4', { receivedAt: MARCH_1 + 4 })]);
    await store.insertEvents([record('m-5', { receivedAt: MARCH_1 + 5 })]);
    // A copy of m-1 that reached another collector late (the look-up lets simultaneous copies through).
    await server.query(
      `INSERT INTO ${options.database}.events (write_key, message_id, type, event, user_id, session_id, ts, received_at, traffic, from_sdk, properties, context, merge_version)
       VALUES ('wk', 'm-1', 'track', 'ai_user_prompt_created', 'u1', 's1', ${MARCH_1 + 3_600_000}, ${MARCH_1 + 4}, 0, 0, '{}', '{}', 1)`,
    );
    const connection = openClickHouseConnection(options);
    const pages: string[][] = [];
    try {
      for await (const page of exportEventPages(connection, clickHouseTables(options.database, undefined), { fromMs: MARCH_1, toMs: MARCH_1 + 10 }, 2)) {
        pages.push(page.map((event) => `${event.message_id}@${event.received_at.slice(-4)}`));
      }
    } finally {
      await connection.close();
    }
    expect(pages).toEqual([['m-1@001Z', 'm-2@002Z'], ['m-3@003Z', 'm-4@004Z'], ['m-5@005Z']]);
  });

  it('counts the anonymous events of a visitor for the user an identify links them to, without rewriting them', async () => {
    const store = await openStore(freshOptions());
    await store.insertEvents([record('anon-prompt', { userId: null, anonymousId: 'a-1', conversationId: 'c-a' })]);
    const scope = scopeOfMarch();
    expect(await store.metrics.conversationsByUser(scope, 10)).toEqual([{ user: 'a-1', conversations: 1, prompts: 1 }]);
    await store.insertEvents([record('identify', { type: 'identify', event: null, userId: 'u-9', anonymousId: 'a-1', traits: { plan: 'pro' } })]);
    expect(await store.metrics.conversationsByUser(scope, 10)).toEqual([{ user: 'u-9', conversations: 1, prompts: 1 }]);
    expect(await store.metrics.usersByValue(scope, { by: 'trait', trait: 'plan' })).toEqual([{ key: 'pro', count: 1 }]);
    const [exported] = await exportAll(store);
    expect([exported?.user_id, exported?.anonymous_id, exported?.user_key]).toEqual([null, 'a-1', 'u-9']);
  });

  it('keeps the latest value of a setting and answers null for one never set', async () => {
    const options = freshOptions();
    const first = await openStore(options);
    const second = await openStore(options);
    expect(await first.getSetting('dev_write_key')).toBeNull();
    await first.setSetting('dev_write_key', 'one');
    await first.setSetting('dev_write_key', 'two');
    expect(await second.getSetting('dev_write_key')).toBe('two');
    await expect(second.checkWritable()).resolves.toBeUndefined();
  });

  it('keeps prompt texts in the collector queue, never in ClickHouse, and erases them once classified', async () => {
    const options = freshOptions();
    const store = await openStore(options);
    await store.insertEvents([
      record('landing', { type: 'page', event: null, userId: null, anonymousId: 'anon-1', timestamp: MARCH_1 - DAY_MS }),
      record('identify', { type: 'identify', event: null, userId: 'u1', anonymousId: 'anon-1', traits: { plan: 'team' }, timestamp: MARCH_1 }),
      record('p-1', { pendingPromptText: 'how do I reset my password?' }),
      record('r-1', { event: 'ai_llm_response_received', model: 'gpt-a', latencyMs: 100, timestamp: MARCH_1 + 3_600_500 }),
    ]);
    const [queued] = await store.nextPromptsToClassify(10);
    // First seen: the anonymous visit the identify linked to u1, a day before.
    expect(queued).toMatchObject({ text: 'how do I reset my password?', userKey: 'u1', plan: 'team', firstSeenAt: MARCH_1 - DAY_MS });
    expect(await server.query(`SELECT count() FROM ${options.database}.events WHERE positionCaseInsensitive(properties, 'password') > 0 FORMAT TSV`)).toBe('0\n');
    const scope = scopeOfMarch();
    expect((await store.metrics.classification(scope)).pending).toBe(1);
    await store.recordClassifications([{ eventId: queued!.eventId, intent: 'account', sampled: true }], {
      day: '2026-03-01', classifier: 'llm', prompts: 1, cached: 0, errors: 0, notSampled: 0, promptTokens: 30, completionTokens: 2, cost: 0.25,
    });
    expect(await store.queuedPromptCount()).toBe(0);
    expect(await store.metrics.intentCounts(scope)).toEqual([{ key: 'account', count: 1 }]);
    // The response of the turn takes its prompt's intent from the classifier's verdict.
    expect((await store.metrics.latency(scope, 'intent', 'latency')).map((group) => group.key)).toEqual(['account']);
    expect(await store.classifierCostOn('2026-03-01', 'llm')).toBe(0.25);
    expect(await store.metrics.classification(scope)).toMatchObject({ prompts: 1, sampled: 1, pending: 0, classifierCost: 0.25, classifierTokens: 32 });
  });

  it('flags the later events of a bot, and of the user an anonymous bot signs in as, at another collector too', async () => {
    const options = freshOptions();
    const first = await openStore(options);
    const second = await openStore(options);
    await first.insertEvents([record('m-1', { userId: null, anonymousId: 'anon-1', bot: true })]);
    // The identify reaches the other collector, then events of the user and of the anonymous id with no flag of their own.
    await second.insertEvents([
      record('m-2', { type: 'identify', event: null, userId: 'u-1', anonymousId: 'anon-1' }),
      record('m-3', { userId: 'u-1', timestamp: MARCH_1 + 7_200_000 }),
    ]);
    await first.insertEvents([record('m-4', { userId: null, anonymousId: 'anon-1', internal: true, timestamp: MARCH_1 + 7_300_000 })]);
    await second.insertEvents([record('m-5', { userId: 'u-1', debug: true, timestamp: MARCH_1 + 7_400_000 })]);
    await first.insertEvents([record('m-6', { userId: 'u-2', timestamp: MARCH_1 + 7_500_000 })]);
    const flags = (await exportAll(first)).map((event) => [event.message_id, event.debug, event.bot, event.internal]);
    expect(flags).toEqual([
      ['m-1', false, true, false],
      ['m-2', false, false, false],
      ['m-3', false, true, false],
      ['m-4', false, true, true],
      ['m-5', true, true, true],
      ['m-6', false, false, false],
    ]);
    const scope = scopeOfMarch();
    expect(await first.metrics.excludedUsers(scope)).toEqual({ bots: 1, internal: 1 });
    expect(await first.metrics.excludedUsers({ ...scope, includeBots: true })).toEqual({ bots: 0, internal: 1 });
    expect(await first.metrics.conversationTotals(scope)).toEqual({ conversations: 1, users: 1, prompts: 1 });
  });

  it('erases a user with their anonymous events, links, traits, flags and queued texts, and nobody else', async () => {
    const options = freshOptions();
    const store = await openStore(options);
    await store.insertEvents([
      record('m-1', { userId: null, anonymousId: 'anon-1', bot: true, pendingPromptText: 'hello' }),
      record('m-2', { type: 'identify', event: null, userId: 'u-1', anonymousId: 'anon-1', traits: { plan: 'pro' } }),
      record('m-3', { userId: 'u-1' }),
      record('m-4', { userId: 'u-2', traits: null }),
      record('m-5', { type: 'identify', event: null, userId: 'u-2', anonymousId: 'anon-2', traits: { plan: 'free' } }),
    ]);
    expect(await store.queuedPromptCount()).toBe(1);
    expect(await store.eraseUser('u-1')).toEqual({ events: 3, identities: 1, users: 2 });
    expect((await exportAll(store)).map((event) => event.message_id)).toEqual(['m-4', 'm-5']);
    expect(await store.queuedPromptCount()).toBe(0);
    const left = async (table: string): Promise<string> => server.query(`SELECT count() FROM ${options.database}.${table} FORMAT TSV`);
    expect([await left('identities'), await left('user_traits'), await left('user_traffic')]).toEqual(['1\n', '1\n', '0\n']);
    // The flag went with the user: their next event is ordinary again.
    await store.insertEvents([record('m-6', { userId: 'u-1' })]);
    expect((await exportAll(store)).find((event) => event.message_id === 'm-6')?.bot).toBe(false);
    expect(await store.eraseUser('nobody')).toEqual({ events: 0, identities: 0, users: 0 });
  });

  it('deletes old events oldest first, at most the limit per call, copies of a message together', async () => {
    const options = freshOptions();
    const store = await openStore(options);
    await store.insertEvents(
      ['m-a', 'm-c', 'm-b', 'm-d', 'm-e'].map((id, index) => record(id, { timestamp: MARCH_1 + [1_000, 1_000, 1_000, 2_000, 5_000][index]! })),
    );
    // A second copy of m-b, as a retry racing at another collector leaves it.
    await server.query(
      `INSERT INTO ${options.database}.events (write_key, message_id, type, event, user_id, ts, received_at, traffic, from_sdk, properties, context)
       VALUES ('wk', 'm-b', 'track', 'ai_user_prompt_created', 'u1', ${MARCH_1 + 1_000}, ${MARCH_1 + 9_000}, 0, 0, '{}', '{}')`,
    );
    expect(await store.deleteEventsBefore(MARCH_1 + 3_000, 2)).toBe(2);
    expect((await exportAll(store)).map((event) => event.message_id)).toEqual(['m-c', 'm-d', 'm-e']);
    expect(await store.deleteEventsBefore(MARCH_1 + 3_000, 2)).toBe(2);
    expect(await store.deleteEventsBefore(MARCH_1 + 3_000, 2)).toBe(0);
    expect((await exportAll(store)).map((event) => event.message_id)).toEqual(['m-e']);
  });

  it('marks a prompt that cannot be classified and erases its text', async () => {
    const store = await openStore(freshOptions());
    await store.insertEvents([record('p-1', { pendingPromptText: 'unreadable' })]);
    const eventId = await store.oldestQueuedPromptId();
    await store.quarantinePrompt(eventId!);
    expect(await store.queuedPromptCount()).toBe(0);
    expect(await store.metrics.intentCounts(scopeOfMarch())).toEqual([{ key: 'classification_error', count: 1 }]);
  });
});

describeWithClickHouse('ClickHouse store on two shards', () => {
  let cluster: StartedClickHouse;

  // Starting servers takes seconds alone, much longer while the whole suite runs beside it.
  beforeAll(async () => {
    cluster = await startClickHouse({ shards: 2 });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('waits at start for the other server of the cluster to be migrated, and names the cluster when it never is', async () => {
    const base = { database: 'waiting', cluster: cluster.cluster! };
    const opening = openClickHouseStore({ ...base, url: cluster.urls[0]! });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await migrateClickHouse({ ...base, url: cluster.urls[1]! });
    const store = await opening;
    expect(await store.hasEvents()).toBe(false);
    await store.close();
    await expect(openClickHouseStore({ ...base, database: 'never', url: cluster.urls[0]!, clusterSchemaWaitMs: 1_000 })).rejects.toThrow(
      /a server of cluster chatmeter_test_cluster lacks the schema of database never after 1 s/,
    );
  });

  it('creates local and Distributed tables on each server it is pointed at and reads every shard through either', async () => {
    const base = { database: 'sharded', cluster: cluster.cluster! };
    for (const url of cluster.urls) expect((await migrateClickHouse({ ...base, url })).applied).toHaveLength(3);
    const engines = await cluster.query(`SELECT name, engine FROM system.tables WHERE database = 'sharded' AND name LIKE 'events%' ORDER BY name FORMAT TSV`, 1);
    expect(engines).toBe('events\tDistributed\nevents_local\tReplacingMergeTree\n');
    const first = await openClickHouseStore({ ...base, url: cluster.urls[0]! });
    const second = await openClickHouseStore({ ...base, url: cluster.urls[1]! });
    try {
      const batch = Array.from({ length: 40 }, (_, index) => record(`m-${index}`, { userId: `u-${index % 8}`, conversationId: `c-${index}` }));
      expect(await first.insertEvents(batch)).toEqual({ inserted: 40, duplicates: 0 });
      // A retry of the same batch at the other collector: found on whichever shard holds each message.
      expect(await second.insertEvents(batch)).toEqual({ inserted: 0, duplicates: 40 });
      const perShard = await Promise.all([0, 1].map((index) => cluster.query('SELECT count() FROM sharded.events_local FORMAT TSV', index)));
      expect(perShard.map(Number).every((rows) => rows > 0 && rows < 40)).toBe(true);
      expect(await second.metrics.conversationTotals(scopeOfMarch())).toEqual({ conversations: 40, users: 8, prompts: 40 });
      // The rollups are fed on each shard by its own view and read through their Distributed tables.
      const rollupRows = await Promise.all([0, 1].map((index) => cluster.query('SELECT count() FROM sharded.session_activity_local FORMAT TSV', index)));
      expect(rollupRows.map(Number).every((rows) => rows > 0)).toBe(true);
      expect(await first.metrics.sessionTotals(scopeOfMarch())).toMatchObject({ sessions: 1, users: 1, messages: 40, prompts: 40 });
      expect((await second.metrics.activeUsers(scopeOfMarch()))[0]).toMatchObject({ dau: 8 });
    } finally {
      await first.close();
      await second.close();
    }
  });
});
