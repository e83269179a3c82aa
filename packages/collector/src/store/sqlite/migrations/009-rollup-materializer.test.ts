import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { migrations } from './index.js';
import { receivedAtColumn } from '../../../../test/support/received-at-column.js';
import { storedEventColumns, storedEventNameFor } from '../../../../test/support/stored-event-columns.js';

/** Upgrading to append-only ingest: what the triggers folded before stays folded, once. */

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);

let db: Database.Database;
afterEach(() => {
  db.close();
});

function insertPrompt(messageId: string, userKey: string, minutes: number): void {
  const received = receivedAtColumn(db);
  const stored = storedEventColumns(db);
  db.prepare(
    `INSERT INTO events (${stored('write_key, message_id, type, event, user_key, ts')}, ${received.column}, ${stored('context')})
     VALUES ('wk', @messageId, 'track', ${storedEventNameFor(db)("'ai_user_prompt_created'")}, @userKey, @ts, ${received.value('@ts', '@receivedAt')}, '{}')`,
  ).run({ messageId, userKey, ts: T0 + minutes * 60_000, receivedAt: T0 });
}

function promptsPerUser(): unknown[] {
  return db.prepare('SELECT user_key, SUM(prompts) AS prompts FROM user_activity GROUP BY user_key ORDER BY user_key').all();
}

describe('migration 009: rollups folded by the materializer', () => {
  it('takes the events the triggers already folded as folded, and folds only those stored after the upgrade', () => {
    db = new Database(':memory:');
    migrate(db, migrations.slice(0, 8));
    insertPrompt('m-1', 'ada', 1);
    insertPrompt('m-2', 'bob', 2);
    migrate(db);

    expect(db.prepare('SELECT folded_through FROM rollup_watermark').pluck().get()).toBe(2);
    insertPrompt('m-3', 'ada', 3);
    expect(promptsPerUser()).toEqual([
      { user_key: 'ada', prompts: 1 },
      { user_key: 'bob', prompts: 1 },
    ]);

    expect(new RollupMaterializer(db).catchUp()).toBe(1);
    expect(promptsPerUser()).toEqual([
      { user_key: 'ada', prompts: 2 },
      { user_key: 'bob', prompts: 1 },
    ]);
  });

  it('leaves no AFTER INSERT trigger on events', () => {
    db = new Database(':memory:');
    migrate(db);
    const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").pluck().all() as string[];
    expect(triggers.length).toBeGreaterThan(0);
    expect(triggers.filter((sql) => /AFTER INSERT ON events/i.test(sql))).toEqual([]);
  });
});
