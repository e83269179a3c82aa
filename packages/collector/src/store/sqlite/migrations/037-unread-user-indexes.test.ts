import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { queryPlan } from '../../../../test/support/schema-queries.js';
import { migrate } from '../migrate.js';
import { migrations } from './index.js';
import { unreadUserIndexesMigration } from './037-unread-user-indexes.js';

const openBefore = databasesBefore();

const indexesOf = (db: ReturnType<typeof openBefore>, table: string): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").pluck().all(table) as string[];

describe('migration 037: per-session and per-conversation rollups no longer indexed by user', () => {
  it('drops the two indexes by user and keeps those by time', () => {
    const db = openBefore(unreadUserIndexesMigration);
    expect(indexesOf(db, 'session_rollup')).toEqual(['session_rollup_first', 'session_rollup_user']);

    migrate(db, migrations.slice(0, unreadUserIndexesMigration.version));

    expect(indexesOf(db, 'session_rollup')).toEqual(['session_rollup_first']);
    expect(indexesOf(db, 'conversation_rollup')).toEqual(['conversation_rollup_first']);
  });

  it('still finds a row by its key where the relabel and the delete trigger change it', () => {
    const db = openBefore(unreadUserIndexesMigration);
    migrate(db, migrations);
    expect(queryPlan(db, "UPDATE session_rollup SET user_key = 'b' WHERE session_id = 's' AND debug = 0 AND user_key = 'a'")).toMatch(
      /SEARCH session_rollup USING PRIMARY KEY \(session_id=\? AND debug=\?\)/,
    );
    expect(queryPlan(db, "DELETE FROM conversation_rollup WHERE conversation_id = 'c' AND debug = 0 AND prompts <= 0")).toMatch(
      /SEARCH conversation_rollup USING PRIMARY KEY \(conversation_id=\? AND debug=\?\)/,
    );
  });
});
