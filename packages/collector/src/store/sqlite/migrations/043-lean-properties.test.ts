import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../../test/support/event-record.js';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { selectEvents } from '../../../../test/support/read-events.js';
import { AI_EVENT } from '../../../protocol/index.js';
import type { EventRecord } from '../../event-record.js';
import { EventWriter } from '../event-writer.js';
import { migrate, SchemaVersionError } from '../migrate.js';
import { serializeEvent } from '../serialized-event.js';
import { leanPropertiesMigration } from './043-lean-properties.js';
import { migrations } from './index.js';

/** Upgrading a database of migration 042: rows stored before keep their properties, rows stored after are leaner, and both read back as sent. */

const T0 = Date.UTC(2026, 2, 2, 10);
const THUMBS = { feedback_type: 'thumbs', feedback_value: 'up' };

const openBefore = databasesBefore();

function prompt(messageId: string): EventRecord {
  return promptRecord({ messageId, userId: 'ada', timestamp: T0, conversationId: 'c-1', promptNumber: 1 });
}

function thumbs(messageId: string): EventRecord {
  return promptRecord({
    messageId, userId: 'ada', timestamp: T0 + 60_000, event: AI_EVENT.userAction, conversationId: 'c-1', promptNumber: 1,
    actionType: 'feedback', feedbackType: 'thumbs', feedbackValue: JSON.stringify('up'), thumbsUp: true,
    properties: { conversation_id: 'c-1', prompt_number: 1, action_type: 'feedback', action_details: THUMBS },
  });
}

/** As the writer before this version stored them: `{}` for no properties, feedback's details kept whole. */
function storedBefore(record: EventRecord): ReturnType<typeof serializeEvent> {
  const details = record.properties['action_details'];
  return { ...serializeEvent(record), properties: JSON.stringify(details === undefined ? {} : { action_details: details }) };
}

const storedProperties = (db: Database.Database): unknown[] => db.prepare('SELECT properties FROM events ORDER BY id').pluck().all();
const propertiesAsSent = (db: Database.Database): unknown[] => selectEvents(db).map((row) => JSON.parse(row.properties));

describe('migration 043: properties stored without what the columns hold', () => {
  it('reads rows stored before and after the upgrade with their properties as sent', () => {
    const db = openBefore(leanPropertiesMigration);
    new EventWriter(db).insertGroup([[prompt('p-before'), thumbs('f-before')].map(storedBefore)]);
    migrate(db, migrations);
    new EventWriter(db).insertGroup([[prompt('p-after'), thumbs('f-after')].map(serializeEvent)]);

    expect(storedProperties(db)).toEqual(['{}', JSON.stringify({ action_details: THUMBS }), '', '']);
    const sentPrompt = { conversation_id: 'c-1', prompt_number: 1 };
    const sentThumbs = { conversation_id: 'c-1', prompt_number: 1, action_type: 'feedback', action_details: THUMBS };
    expect(propertiesAsSent(db)).toEqual([sentPrompt, sentThumbs, sentPrompt, sentThumbs]);
  });

  it('is refused by a collector that predates the leaner forms', () => {
    const upgraded = openBefore.upgraded(openBefore(leanPropertiesMigration));
    expect(() => migrate(upgraded, migrations.filter((migration) => migration.version < leanPropertiesMigration.version))).toThrow(SchemaVersionError);
  });
});
