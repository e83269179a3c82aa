import type Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../test/support/migration-database.js';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import type { EventRecord } from '../event-record.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { anonymousUserKeysMigration } from './migrations/030-anonymous-user-keys.js';
import { sessionUserKeysMigration } from './migrations/031-session-user-keys.js';
import { prepareLifecycleStatements } from './lifecycle-statements.js';

/**
 * The (id, user key) pairs that stand in for an index on every event's
 * anonymous id (migration 030: erasure finds the events carrying an erased
 * user's linked anonymous ids wherever they are stored) and session id
 * (migration 031: a deleted message's session recomputes its span and user
 * from the messages it has left).
 */

const openStore = inMemoryStores();

/** 2026-03-07 10:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 10);

let minute = 0;
beforeEach(() => {
  minute = 0;
});
function event(messageId: string, fields: Partial<EventRecord>): EventRecord {
  minute += 1;
  return promptRecord({ messageId, userId: null, timestamp: T0 + minute * 60_000, ...fields });
}
const identify = (messageId: string, anonymousId: string, userId: string): EventRecord =>
  event(messageId, { type: 'identify', event: null, anonymousId, userId });
const alias = (messageId: string, previousId: string, userId: string): EventRecord =>
  event(messageId, { type: 'alias', event: null, previousId, userId });

function storedMessages(db: Database.Database): string[] {
  return db.prepare('SELECT message_id FROM events ORDER BY message_id').pluck().all() as string[];
}

const openBefore = databasesBefore();

describe('erasing the events of linked anonymous ids', () => {
  it('finds them under every key they were stored or relabelled under, in one batch or across batches', async () => {
    const store = openStore();
    await store.insertEvents([
      // anon-x chats; a server-side event names lee's user id with anon-x's browser: stored under lee.
      event('x-1', { anonymousId: 'anon-x' }),
      event('x-4', { anonymousId: 'anon-x', userId: 'lee' }),
      event('x-8', { anonymousId: 'anon-x', userId: 'ola' }),
      event('m-1', { userId: 'max' }),
      event('k-1', { userId: 'kim' }),
    ]);
    // Folded, so the relabels below move events the fold has already paired.
    store.rollups?.catchUp();
    await store.insertEvents([
      // anon-x is identified as kim (x-1 moves to kim) and chats on; lee merges into max (x-4 moves to max).
      identify('x-2', 'anon-x', 'kim'),
      event('x-3', { anonymousId: 'anon-x' }),
      alias('x-5', 'lee', 'max'),
    ]);
    // anon-x's link moves on to ned: its new events go to ned, the old ones stay with kim and max.
    await store.insertEvents([identify('x-6', 'anon-x', 'ned'), event('x-7', { anonymousId: 'anon-x' })]);

    const outcome = await store.eraseUser('ned');

    // Every event carrying anon-x is gone, wherever it was stored; kim's and max's own events stay.
    expect(outcome).toEqual({ events: 7, identities: 1, users: 2 });
    expect(storedMessages(store.db)).toEqual(['k-1', 'm-1', 'x-5']);
    expect(store.db.prepare('SELECT * FROM anonymous_user_keys ORDER BY 1, 2').all()).toEqual([]);
  });

  it('finds the events of databases stored before the pairs existed', () => {
    const db = openBefore(anonymousUserKeysMigration);
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type, event, anonymous_id, user_id, user_key, ts, received_at, context)
       VALUES (X'31', ?, 'track', 'ai_user_prompt_created', ?, ?, ?, ?, ?, '{}')`,
    );
    insert.run('x-1', 'anon-x', null, 'kim', T0, T0);
    insert.run('x-2', 'anon-x', 'lee', 'lee', T0, T0);
    insert.run('l-1', null, 'lee', 'lee', T0, T0);
    db.prepare("INSERT INTO identities (anonymous_id, user_id, linked_at) VALUES ('anon-x', 'kim', ?)").run(T0);
    db.prepare("INSERT INTO users (user_key, first_seen_ts, last_seen_ts) VALUES ('kim', ?, ?), ('lee', ?, ?)").run(T0, T0, T0, T0);
    migrate(db, migrations);
    const lifecycle = prepareLifecycleStatements(db, () => {});

    expect(lifecycle.eraseUser('kim')).toEqual({ events: 2, identities: 1, users: 1 });
    expect(storedMessages(db)).toEqual(['l-1']);
  });
});

interface SessionRow {
  session_id: string;
  debug: number;
  user_key: string;
  first_ts: number;
  last_ts: number;
  user_messages: number;
  bot_messages: number;
}

/** The session rows the remaining messages give: span, counts, and the user of the latest message. */
function sessionsOfRemainingMessages(db: Database.Database): SessionRow[] {
  return db
    .prepare(
      `SELECT session_id, debug,
              (SELECT user_key FROM events l WHERE l.session_id = e.session_id AND l.debug = e.debug
                  AND l.event IN ('ai_user_prompt_created', 'ai_llm_response_received') ORDER BY ts DESC, id DESC LIMIT 1) AS user_key,
              MIN(ts) AS first_ts, MAX(ts) AS last_ts,
              SUM(event = 'ai_user_prompt_created') AS user_messages, SUM(event = 'ai_llm_response_received') AS bot_messages
         FROM events e WHERE session_id IS NOT NULL AND event IN ('ai_user_prompt_created', 'ai_llm_response_received')
        GROUP BY session_id, debug ORDER BY session_id, debug`,
    )
    .all() as SessionRow[];
}

function sessionRows(db: Database.Database): SessionRow[] {
  return db
    .prepare('SELECT session_id, debug, user_key, first_ts, last_ts, user_messages, bot_messages FROM session_rollup ORDER BY session_id, debug')
    .all() as SessionRow[];
}

describe('recomputing a session from the messages it has left', () => {
  const response = (messageId: string, fields: Partial<EventRecord>): EventRecord =>
    event(messageId, { event: 'ai_llm_response_received', model: 'gpt-a', latencyMs: 900, ...fields });

  it('finds them under each key the session was stored or relabelled under, through retention and erasure', async () => {
    const store = openStore();
    await store.insertEvents([
      // s-1 starts anonymous, goes on under a userId sent without identify (a second key), and interleaves with kim's s-2.
      event('a-1', { anonymousId: 'anon-1', sessionId: 's-1' }),
      response('a-2', { anonymousId: 'anon-1', sessionId: 's-1' }),
      event('k-1', { userId: 'kim', sessionId: 's-2' }),
      event('a-3', { anonymousId: 'anon-1', userId: 'ivy', sessionId: 's-1' }),
      response('k-2', { userId: 'kim', sessionId: 's-2' }),
      response('a-4', { anonymousId: 'anon-1', userId: 'ivy', sessionId: 's-1' }),
      event('d-1', { userId: 'kim', sessionId: 's-2', debug: true }),
      event('k-3', { userId: 'kim', sessionId: 's-2' }),
    ]);
    // anon-2's session is folded, then identify relabels it to joe; more follows under joe.
    await store.insertEvents([event('b-1', { anonymousId: 'anon-2', sessionId: 's-3' }), response('b-2', { anonymousId: 'anon-2', sessionId: 's-3' })]);
    store.rollups?.catchUp();
    await store.insertEvents([identify('b-3', 'anon-2', 'joe'), event('b-4', { anonymousId: 'anon-2', sessionId: 's-4' })]);
    store.rollups?.catchUp();
    expect(store.db.prepare('SELECT session_id, user_key FROM session_user_keys ORDER BY 1, 2').all()).toEqual([
      { session_id: 's-1', user_key: 'anon-1' },
      { session_id: 's-1', user_key: 'ivy' },
      { session_id: 's-2', user_key: 'kim' },
      { session_id: 's-3', user_key: 'anon-2' },
      { session_id: 's-3', user_key: 'joe' },
      { session_id: 's-4', user_key: 'joe' },
    ]);
    expect(sessionRows(store.db)).toEqual(sessionsOfRemainingMessages(store.db));

    // Retention takes s-1's first key's messages, then all of s-1 and kim's first s-2 messages.
    expect(await store.deleteEventsBefore(T0 + 3 * 60_000, 100)).toBe(2);
    expect(sessionRows(store.db)).toEqual(sessionsOfRemainingMessages(store.db));
    expect(await store.deleteEventsBefore(T0 + 7 * 60_000, 100)).toBe(4);
    expect(sessionRows(store.db)).toEqual(sessionsOfRemainingMessages(store.db));
    expect(sessionRows(store.db).map((row) => `${row.session_id}/${row.debug}`)).toEqual(['s-2/0', 's-2/1', 's-3/0', 's-4/0']);

    // Erasing kim empties s-2 (both flags); then retention takes s-3's first message, which the relabel moved to joe.
    await store.eraseUser('kim');
    expect(sessionRows(store.db)).toEqual(sessionsOfRemainingMessages(store.db));
    expect(await store.deleteEventsBefore(T0 + 10 * 60_000, 100)).toBe(1);
    expect(sessionRows(store.db)).toEqual(sessionsOfRemainingMessages(store.db));
    expect(sessionRows(store.db)).toMatchObject([{ session_id: 's-3', user_key: 'joe', first_ts: T0 + 10 * 60_000, bot_messages: 1 }, { session_id: 's-4' }]);
    // A session's pairs go with its last message or its erased key; s-3 keeps anon-2's, whose messages moved to joe.
    expect(store.db.prepare('SELECT session_id, user_key FROM session_user_keys ORDER BY 1, 2').all()).toEqual([
      { session_id: 's-3', user_key: 'anon-2' },
      { session_id: 's-3', user_key: 'joe' },
      { session_id: 's-4', user_key: 'joe' },
    ]);
  });

  it("gives a session shared by two keys to the one whose messages remain, when the latest message's key is erased", async () => {
    const store = openStore();
    await store.insertEvents([
      event('a-1', { anonymousId: 'anon-1', sessionId: 's-1' }),
      event('i-1', { userId: 'ivy', sessionId: 's-1' }),
      response('a-2', { anonymousId: 'anon-1', sessionId: 's-1' }),
      event('i-2', { userId: 'ivy', sessionId: 's-1' }),
    ]);
    store.rollups?.catchUp();
    expect(sessionRows(store.db)).toMatchObject([{ user_key: 'ivy', user_messages: 3, bot_messages: 1 }]);

    await store.eraseUser('ivy');

    expect(sessionRows(store.db)).toEqual([
      { session_id: 's-1', debug: 0, user_key: 'anon-1', first_ts: T0 + 60_000, last_ts: T0 + 180_000, user_messages: 1, bot_messages: 1 },
    ]);
  });

  it('finds the messages of databases folded before the pairs existed', () => {
    const db = openBefore(sessionUserKeysMigration);
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type, event, user_key, session_id, ts, received_at, context)
       VALUES (X'31', ?, 'track', ?, ?, 's-1', ?, ?, '{}')`,
    );
    insert.run('a-1', 'ai_user_prompt_created', 'anon-1', T0, T0);
    insert.run('i-1', 'ai_user_prompt_created', 'ivy', T0 + 60_000, T0);
    insert.run('a-2', 'ai_llm_response_received', 'anon-1', T0 + 120_000, T0);
    // The session as the fold left it, every event folded.
    db.exec(`INSERT INTO session_rollup (session_id, debug, user_key, first_ts, last_ts, user_messages, bot_messages)
               VALUES ('s-1', 0, 'anon-1', ${T0}, ${T0 + 120_000}, 2, 1);
             UPDATE rollup_watermark SET folded_through = (SELECT MAX(id) FROM events);`);
    migrate(db, migrations);
    const lifecycle = prepareLifecycleStatements(db, () => {});

    expect(lifecycle.deleteEventsBefore(T0 + 30_000, 10)).toBe(1);
    expect(sessionRows(db)).toEqual(sessionsOfRemainingMessages(db));
    expect(lifecycle.eraseUser('anon-1')).toMatchObject({ events: 1 });
    expect(sessionRows(db)).toEqual([
      { session_id: 's-1', debug: 0, user_key: 'ivy', first_ts: T0 + 60_000, last_ts: T0 + 60_000, user_messages: 1, bot_messages: 0 },
    ]);
  });
});
