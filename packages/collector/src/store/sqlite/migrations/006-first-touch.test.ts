import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../event-record.js';
import { migrate } from '../migrate.js';
import { SqliteStore } from '../sqlite-store.js';
import { migrations } from './index.js';

/** First touch per user: the earliest event naming a channel, kept through identify merges and backfilled. */

const T0 = Date.UTC(2026, 2, 1, 12, 0);
const HOUR_MS = 3_600_000;
let messages = 0;

function record(fields: Partial<EventRecord> & Pick<EventRecord, 'timestamp'>): EventRecord {
  messages += 1;
  return {
    writeKey: 'wk', messageId: `m-${messages}`, type: 'track', event: 'page_viewed', userId: null, anonymousId: null, previousId: null,
    sessionId: null, conversationId: null, promptNumber: null, originalTimestamp: null, sentAt: null, receivedAt: fields.timestamp,
    latencyMs: null, timeToFirstTokenMs: null, tokensPerSecond: null, responseId: null, regeneratedFrom: null, promptTokens: null,
    completionTokens: null, totalTokens: null, cost: null, model: null, status: null, errorType: null, intent: null, actionType: null,
    feedbackType: null, feedbackValue: null, rating: null, thumbsUp: null, debug: false, bot: false, internal: false, properties: {}, context: {},
    acquisitionChannel: null, traits: null, extra: {}, pendingPromptText: null, ingestClassificationUsage: null, ...fields,
  };
}

const identify = (anonymousId: string, userId: string, timestamp: number) => record({ type: 'identify', event: null, anonymousId, userId, timestamp });

let store: SqliteStore;
afterEach(async () => {
  await store.close();
});

/** First touches once every stored event is folded. */
function touches(): { user_key: string; channel: string }[] {
  store.rollups?.catchUp();
  return store.db.prepare('SELECT user_key, channel FROM user_first_touch ORDER BY user_key').all() as { user_key: string; channel: string }[];
}

describe('migration 006: first touch per user', () => {
  it('keeps the earliest touch of a user whatever the arrival order', async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.insertEvents([record({ userId: 'u', timestamp: T0 + HOUR_MS, acquisitionChannel: 'later' })]);
    await store.insertEvents([record({ userId: 'u', timestamp: T0, acquisitionChannel: 'earlier' })]);
    await store.insertEvents([record({ userId: 'u', timestamp: T0 + 2 * HOUR_MS, acquisitionChannel: 'latest' })]);
    expect(touches()).toEqual([{ user_key: 'u', channel: 'earlier' }]);
  });

  it('gives the identified user the anonymous touch when it is earlier than their own', async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.insertEvents([
      record({ anonymousId: 'anon', timestamp: T0, acquisitionChannel: 'google.com' }),
      record({ userId: 'u', timestamp: T0 + HOUR_MS, acquisitionChannel: 'twitter' }),
    ]);
    await store.insertEvents([identify('anon', 'u', T0 + 2 * HOUR_MS)]);
    expect(touches()).toEqual([{ user_key: 'u', channel: 'google.com' }]);
  });

  it("keeps the identified user's own touch when it is earlier than the anonymous one", async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.insertEvents([
      record({ userId: 'u', timestamp: T0, acquisitionChannel: 'newsletter' }),
      record({ anonymousId: 'anon', timestamp: T0 + HOUR_MS, acquisitionChannel: 'google.com' }),
    ]);
    await store.insertEvents([identify('anon', 'u', T0 + 2 * HOUR_MS)]);
    expect(touches()).toEqual([{ user_key: 'u', channel: 'newsletter' }]);
  });

  it("backfills the channel of events stored before it from their context's campaign", () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 5));
    const insert = db.prepare(
      "INSERT INTO events (write_key, message_id, type, event, user_key, ts, received_at, context) VALUES ('wk', ?, 'track', 'x', ?, ?, ?, ?)",
    );
    insert.run('a1', 'alice', T0 + HOUR_MS, T0, JSON.stringify({ campaign: { source: 'Twitter' } }));
    insert.run('a2', 'alice', T0, T0, JSON.stringify({ campaign: { source: ' Newsletter ', medium: 'email' } }));
    insert.run('b1', 'bob', T0, T0, JSON.stringify({ campaign: { referrer: 'www.bing.com' } }));
    insert.run('c1', 'carol', T0, T0, JSON.stringify({ page: { path: '/' } }));
    insert.run('d1', 'dave', T0, T0, 'not json');
    migrate(db);
    expect(db.prepare('SELECT user_key, channel FROM user_first_touch ORDER BY user_key').all()).toEqual([
      { user_key: 'alice', channel: 'newsletter' },
      { user_key: 'bob', channel: 'bing.com' },
    ]);
    db.close();
  });
});
