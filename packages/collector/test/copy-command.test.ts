import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { copyEvents, type CopyDestination } from '../src/copy/copy-events.js';
import { runCopy } from '../src/copy/copy-command.js';
import { generateDemoEvents } from '../src/demo/generate-demo-events.js';
import { METRIC_ENDPOINTS } from '../src/metrics/metric-catalog.js';
import type { MessageInput } from '../src/protocol/index.js';
import { openClickHouseStore } from '../src/store/clickhouse/index.js';
import type { Store } from '../src/store/store.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { describeWithClickHouse, startClickHouse, type StartedClickHouse } from './support/clickhouse-server.js';
import { startCollector } from './support/start-collector.js';
import { startTestApp } from './support/test-app.js';

const WRITE_KEY = 'copy_test_write_key';
const DEMO = { users: 40, days: 30, seed: 77, endDate: Date.UTC(2026, 10, 20, 18) };
const RANGE = 'from=2026-10-22&to=2026-11-20';
/** An alias: the events table does not keep previousId, so the copy must recover it. */
const ALIAS: MessageInput = {
  type: 'alias', messageId: 'copy-alias-1', userId: 'copy-user-merged', previousId: 'copy-old-id', timestamp: '2026-11-10T10:00:00Z',
};
/** A prompt under the id the alias merges away (active users count people who prompt). */
const OLD_ID_EVENT: MessageInput = {
  type: 'track', event: 'ai_user_prompt_created', messageId: 'copy-old-id-event', anonymousId: 'copy-old-id', timestamp: '2026-11-09T10:00:00Z',
  properties: { conversation_id: 'copy-conversation-1', prompt_number: 1 },
};
/** The same person under the id the alias merges into, on the same day: one active user if the alias survived the copy, two if not. */
const MERGED_ID_EVENT: MessageInput = {
  type: 'track', event: 'ai_user_prompt_created', messageId: 'copy-merged-id-event', userId: 'copy-user-merged', timestamp: '2026-11-09T11:00:00Z',
  properties: { conversation_id: 'copy-conversation-2', prompt_number: 1 },
};

/** A crawler's prompt in debug mode: its stored flags are debug and bot together (3), which the copy must read bit by bit. */
const BOT_DEBUG_EVENT: MessageInput = {
  type: 'track', event: 'ai_user_prompt_created', messageId: 'copy-bot-debug', userId: 'copy-crawler', timestamp: '2026-11-11T10:00:00Z',
  context: { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
  properties: { conversation_id: 'copy-conversation-3', prompt_number: 1, debug_mode: true },
};
/** A team member's prompt (internal trait). */
const INTERNAL_EVENT: MessageInput = {
  type: 'track', event: 'ai_user_prompt_created', messageId: 'copy-internal', userId: 'copy-staff', timestamp: '2026-11-11T11:00:00Z',
  context: { traits: { internal: true } }, properties: { conversation_id: 'copy-conversation-4', prompt_number: 1 },
};

describeWithClickHouse('chatmeter-collector copy --from sqlite:FILE --to clickhouse:URL', () => {
  let clickhouse: StartedClickHouse;
  let directory: string;
  let sqlitePath: string;
  let eventCount: number;

  beforeAll(async () => {
    clickhouse = await startClickHouse();
    directory = mkdtempSync(join(tmpdir(), 'chatmeter-copy-'));
    sqlitePath = join(directory, 'source.db');
    // The source is written by a real collector, as an operator's file would be.
    const collector = await startCollector({ writeKeys: [WRITE_KEY], dbPath: sqlitePath });
    const batches = [...generateDemoEvents(DEMO), [OLD_ID_EVENT, MERGED_ID_EVENT, ALIAS, BOT_DEBUG_EVENT, INTERNAL_EVENT]];
    for (const batch of batches) {
      const response = await fetch(`${collector.url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
        body: JSON.stringify({ batch }),
      });
      expect(response.status).toBe(200);
    }
    await collector.stop();
    eventCount = batches.flat().length;
  }, 120_000);

  afterAll(async () => {
    await clickhouse?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('copies every event once, and a second run stores nothing twice', async () => {
    const first = await copy(['--from', `sqlite:${sqlitePath}`, '--to', `clickhouse:${clickhouse.url}`, '--clickhouse-database', 'copied', '--page-size', '500']);
    expect(first).toMatch(new RegExp(`^copied ${eventCount} events from .* to ClickHouse ${clickhouse.url} database copied in [0-9.]+ s \\(${eventCount} new, 0 already there\\)$`, 'm'));
    expect(await countClickHouseEvents('copied')).toBe(eventCount);

    const second = await copy(['--from', `sqlite:${sqlitePath}`, '--to', `clickhouse:${clickhouse.url}`, '--clickhouse-database', 'copied']);
    expect(second).toMatch(/^resumed after row \d+; copied 0 events from /m);
    expect(await countClickHouseEvents('copied')).toBe(eventCount);
  });

  it('gives the same answer on every metric endpoint as the SQLite file it came from', async () => {
    const sqliteApp = await startTestApp({ createStore: () => new SqliteStore({ path: sqlitePath }) as Store });
    const clickhouseApp = await startTestApp({ createStore: () => openClickHouseStore({ url: clickhouse.url, database: 'copied' }) });
    try {
      for (const metric of METRIC_ENDPOINTS) {
        const path = `/v1/metrics/${metric.path}?${RANGE}&tz=Europe%2FBerlin`;
        const expected = await sqliteApp.get(path);
        expect(expected.status, path).toBe(200);
        expect((await clickhouseApp.get(path)).body, path).toEqual(expected.body);
      }
      // The alias merged copy-old-id into copy-user-merged: the old id's event counts for the merged user.
      const users = await clickhouseApp.get(`/v1/metrics/active-users?from=2026-11-09&to=2026-11-09`);
      expect(users.body).toEqual((await sqliteApp.get(`/v1/metrics/active-users?from=2026-11-09&to=2026-11-09`)).body);
    } finally {
      await sqliteApp.close();
      await clickhouseApp.close();
    }
  });

  it('keeps the debug, bot and internal flags of each copied event', async () => {
    const store = await openClickHouseStore({ url: clickhouse.url, database: 'copied', migrate: false });
    try {
      const flags: Record<string, [boolean, boolean, boolean]> = {};
      for await (const page of store.exportEvents({ fromMs: 0, toMs: Date.UTC(2100, 0, 1) })) {
        for (const event of page) if (event.message_id === 'copy-bot-debug' || event.message_id === 'copy-internal') flags[event.message_id] = [event.debug, event.bot, event.internal];
      }
      expect(flags).toEqual({ 'copy-bot-debug': [true, true, false], 'copy-internal': [false, false, true] });
    } finally {
      await store.close();
    }
  });

  it('resumes after the last page ClickHouse acknowledged when a run was interrupted', async () => {
    const source = new SqliteStore({ path: sqlitePath });
    const store = await openClickHouseStore({ url: clickhouse.url, database: 'resumed' });
    try {
      let pages = 0;
      // A destination that dies on its third page, as a run cut short by a network failure would.
      const failing: CopyDestination = {
        insertEvents: async (events) => {
          pages += 1;
          if (pages === 3) throw new Error('connection reset');
          return store.insertEvents(events);
        },
        hasEvents: () => store.hasEvents(),
        getSetting: (name) => store.getSetting(name),
        setSetting: (name, value) => store.setSetting(name, value),
      };
      await expect(copyEvents({ source: source.db, destination: failing, pageSize: 400 })).rejects.toThrow('connection reset');
      expect(await countClickHouseEvents('resumed')).toBe(800);
    } finally {
      await store.close();
      await source.close();
    }
    const resumed = await copy(['--from', `sqlite:${sqlitePath}`, '--to', `clickhouse:${clickhouse.url}`, '--clickhouse-database', 'resumed', '--page-size', '400']);
    expect(resumed).toMatch(new RegExp(`^resumed after row 800; copied ${eventCount - 800} events from .*\\(${eventCount - 800} new, 0 already there\\)$`, 'm'));
    expect(await countClickHouseEvents('resumed')).toBe(eventCount);
  });

  it('names what is wrong with --from, --to and --page-size', async () => {
    await expect(copy(['--from', sqlitePath, '--to', `clickhouse:${clickhouse.url}`])).rejects.toThrow(
      new ConfigError(`copy needs --from sqlite:FILE, got ${JSON.stringify(sqlitePath)}; usage: chatmeter-collector copy --from sqlite:FILE --to clickhouse:URL [--clickhouse-database NAME] [--clickhouse-user USER] [--clickhouse-password PW] [--clickhouse-cluster NAME] [--page-size N]`),
    );
    await expect(copy(['--from', `sqlite:${sqlitePath}`, '--to', clickhouse.url])).rejects.toThrow(/^copy needs --to clickhouse:URL, e\.g\. clickhouse:http:\/\/127\.0\.0\.1:8123, got "http/);
    await expect(copy(['--from', `sqlite:${join(directory, 'missing.db')}`, '--to', `clickhouse:${clickhouse.url}`])).rejects.toThrow(
      new ConfigError(`copy --from: no SQLite file at ${join(directory, 'missing.db')}`),
    );
    await expect(copy(['--from', `sqlite:${sqlitePath}`, '--to', `clickhouse:${clickhouse.url}`, '--page-size', '0'])).rejects.toThrow(
      new ConfigError('copy --page-size must be a whole number 1–1000000, got "0"'),
    );
  });

  async function copy(args: string[]): Promise<string> {
    let text = '';
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    await runCopy(args, output, {});
    return text;
  }

  async function countClickHouseEvents(database: string): Promise<number> {
    const store = await openClickHouseStore({ url: clickhouse.url, database, migrate: false });
    try {
      let count = 0;
      for await (const page of store.exportEvents({ fromMs: 0, toMs: Date.UTC(2100, 0, 1) })) count += page.length;
      return count;
    } finally {
      await store.close();
    }
  }
});
