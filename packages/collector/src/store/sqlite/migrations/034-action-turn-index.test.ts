import { describe, expect, it } from 'vitest';
import { queryPlan } from '../../../../test/support/schema-queries.js';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { prepareClassificationStatements } from '../classification-statements.js';
import { ACTION_CODE } from '../metrics/sql-constants.js';
import { migrate } from '../migrate.js';
import { migrations } from './index.js';
import { actionTurnIndexMigration } from './034-action-turn-index.js';

const openBefore = databasesBefore();

function eventIndexes(db: ReturnType<typeof openBefore>): string[] {
  return db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];
}

describe('migration 034: user actions indexed by turn in place of every event by conversation', () => {
  it('drops events_conversation and adds events_action_turn', () => {
    const db = openBefore(actionTurnIndexMigration);
    expect(eventIndexes(db)).toContain('events_conversation');

    migrate(db, migrations.slice(0, actionTurnIndexMigration.version));

    const indexes = eventIndexes(db);
    expect(indexes).not.toContain('events_conversation');
    expect(indexes).toContain('events_action_turn');
  });

  it("reads a turn's responses and actions through their own indexes, never the whole table", () => {
    const db = openBefore(actionTurnIndexMigration);
    migrate(db, migrations);
    const turn = { conversationId: 'c-1', promptNumber: 1, eventId: 1 };

    const turnPlan = queryPlan(db, prepareClassificationStatements(db).turnRowsAwaitingIntent.source, turn);

    expect(turnPlan).toContain('USING INDEX events_response_turn (conversation_id=? AND prompt_number=?)');
    expect(turnPlan).toContain('USING INDEX events_action_turn (conversation_id=? AND prompt_number=?)');
    expect(turnPlan).not.toMatch(/SCAN/);
    // A metric's conversation filter on feedback (satisfaction without its rollup).
    expect(queryPlan(db, `SELECT COUNT(*) FROM events a WHERE a.event_code = ${ACTION_CODE} AND a.feedback_type IS NOT NULL
      AND a.ts >= 0 AND a.ts < 1 AND a.conversation_id = 'c-1'`)).toMatch(/USING (COVERING )?INDEX events_(action_turn|feedback_turn_metrics)/);
  });
});
