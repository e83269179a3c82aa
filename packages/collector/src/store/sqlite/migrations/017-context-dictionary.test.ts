import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import type { EventRecord } from '../../event-record.js';
import { EventWriter } from '../event-writer.js';
import { exportEventPages } from '../export-queries.js';
import { migrate } from '../migrate.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { serializeEvent } from '../serialized-event.js';
import { migrations } from './index.js';

/**
 * Upgrading a database created under migration 013: the rows it holds keep
 * their context text, are exported and counted as SDK events as before, and
 * leave the SDK-event rollup as before when deleted; rows stored after the
 * upgrade name the dictionary and count alike.
 */

/** 2026-03-07 10:00 UTC, the start of a quarter-hour. */
const T0 = Date.UTC(2026, 2, 7, 10);
const QUARTER = T0 / 900_000;
const SDK = { library: { name: '@chatmeter/sdk', version: '1.4.0' }, locale: 'fr-FR' };
const OTHER = { library: { name: 'analytics-node', version: '7.0.0' } };

const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

/** A database at migration 013 holding three folded events, their contexts as text (sessionId left out, as serializeEvent does). */
function olderDatabase(): Database.Database {
  const db = new Database(':memory:');
  databases.push(db);
  migrate(db, migrations.filter((migration) => migration.version <= 13));
  const insert = db.prepare(
    `INSERT INTO events (write_key, message_id, type, event, user_key, session_id, ts, received_at, context)
     VALUES ('wk', @id, 'track', @event, 'ada', 's-1', @ts, @ts, @context)`,
  );
  insert.run({ id: 'old-sdk', event: 'ai_user_prompt_created', ts: T0, context: JSON.stringify(SDK) });
  insert.run({ id: 'old-health', event: 'chatmeter_sdk_health', ts: T0 + 1000, context: JSON.stringify(SDK) });
  insert.run({ id: 'old-other', event: 'ai_user_prompt_created', ts: T0 + 2000, context: JSON.stringify(OTHER) });
  // Folded as the collector of migration 013 folded them: today's fold writes tables that schema lacks.
  db.exec('INSERT INTO events_to_fold SELECT * FROM events ORDER BY id; UPDATE rollup_watermark SET folded_through = (SELECT MAX(id) FROM events)');
  return db;
}

function event(messageId: string, context: Record<string, unknown>, seconds: number): EventRecord {
  return promptRecord({ messageId, userId: 'ada', timestamp: T0 + seconds * 1000, sessionId: 's-1', context: { sessionId: 's-1', ...context } });
}

const sdkEventRollup = (db: Database.Database): unknown => db.prepare('SELECT quarter, events FROM sdk_event_rollup ORDER BY quarter').all();

async function exportedContexts(db: Database.Database): Promise<Record<string, unknown>> {
  const contexts: Record<string, unknown> = {};
  for await (const page of exportEventPages(db, { fromMs: 0, toMs: T0 + 86_400_000 })) {
    for (const exported of page) contexts[exported.message_id] = exported.context;
  }
  return contexts;
}

describe('migration 017: each distinct context stored once', () => {
  it('exports and counts the rows stored before as it did, and the rows stored after alike', async () => {
    const db = olderDatabase();
    expect(sdkEventRollup(db)).toEqual([{ quarter: QUARTER, events: 1 }]);

    migrate(db);

    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)?.version);
    expect(db.prepare('SELECT COUNT(*) FROM contexts').pluck().get()).toBe(0);
    expect(sdkEventRollup(db)).toEqual([{ quarter: QUARTER, events: 1 }]);
    expect(await exportedContexts(db)).toEqual({
      'old-sdk': { sessionId: 's-1', ...SDK },
      'old-health': { sessionId: 's-1', ...SDK },
      'old-other': { sessionId: 's-1', ...OTHER },
    });

    new EventWriter(db).insertGroup([[event('new-sdk', SDK, 3), event('new-other', OTHER, 4)].map(serializeEvent)]);
    new RollupMaterializer(db).catchUp();

    expect(db.prepare('SELECT context, refs FROM contexts ORDER BY id').all()).toEqual([
      { context: JSON.stringify(SDK), refs: 1 },
      { context: JSON.stringify(OTHER), refs: 1 },
    ]);
    expect(sdkEventRollup(db)).toEqual([{ quarter: QUARTER, events: 2 }]);
    expect(await exportedContexts(db)).toEqual({
      'old-sdk': { sessionId: 's-1', ...SDK },
      'old-health': { sessionId: 's-1', ...SDK },
      'old-other': { sessionId: 's-1', ...OTHER },
      'new-sdk': { sessionId: 's-1', ...SDK },
      'new-other': { sessionId: 's-1', ...OTHER },
    });
  });

  it('takes deleted SDK events out of the rollup whichever way they keep their context, and their contexts with the last of them', () => {
    const db = olderDatabase();
    migrate(db);
    new EventWriter(db).insertGroup([[event('new-sdk', SDK, 3), event('new-other', OTHER, 4)].map(serializeEvent)]);
    new RollupMaterializer(db).catchUp();

    db.prepare("DELETE FROM events WHERE message_id = 'old-sdk'").run();
    expect(sdkEventRollup(db)).toEqual([{ quarter: QUARTER, events: 1 }]);

    db.prepare("DELETE FROM events WHERE message_id IN ('new-sdk', 'new-other')").run();
    expect(sdkEventRollup(db)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM contexts').pluck().get()).toBe(0);
    expect(db.prepare('SELECT deletions FROM context_deletions').pluck().get()).toBe(2);
  });
});
