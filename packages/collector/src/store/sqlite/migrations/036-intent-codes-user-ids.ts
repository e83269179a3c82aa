import type Database from 'better-sqlite3';
import { EVENTS_TABLE_035 } from './035-event-codes.js';
import { columnName, rebuildEventsTable, type EventsTableColumns } from './events-table-rebuild.js';
import type { ProgramMigration } from './migration.js';
import { codeColumn, vocabularyCodeSql, vocabularyValueSql } from './vocabularies.js';

/**
 * The stored form of `user_id`: NULL without a user id, the integer 0 when
 * the user id is the row's `user_key` (what ingest always stores: an event
 * with a user id is counted for it), else the user id. No type affinity, so
 * a user id '0' stays text and never reads as the mark.
 */
export const USER_ID_STORED = 'user_id_stored';

/**
 * What `user_id_stored` holds for a user id that is the row's user key. A
 * BigInt, so that the writer binds it as an INTEGER (vocabulary-codes.ts).
 */
export const USER_ID_IS_KEY = 0n;

/** SQL: what `user_id_stored` holds for the user id `userIdSql` of a row stored under `userKeySql`. */
export const storedUserIdSql = (userIdSql: string, userKeySql: string): string =>
  `CASE WHEN ${userIdSql} = ${userKeySql} THEN ${USER_ID_IS_KEY} ELSE ${userIdSql} END`;

const INTENT_CODE = codeColumn('intent');

const STORED_IN_PLACE_OF: Readonly<Record<string, readonly [definition: string, copiedFrom: string]>> = {
  intent: [INTENT_CODE, vocabularyCodeSql('intent', 'intent')],
  user_id: [USER_ID_STORED, storedUserIdSql('user_id', 'user_key')],
};

const EVENTS_TABLE_036: EventsTableColumns = {
  stored: EVENTS_TABLE_035.stored.map(([definition]) => {
    const name = columnName(definition);
    return STORED_IN_PLACE_OF[name] ?? [definition, name];
  }),
  generated: [
    ...EVENTS_TABLE_035.generated,
    `intent TEXT GENERATED ALWAYS AS (${vocabularyValueSql('intent')}) VIRTUAL`,
    `user_id TEXT GENERATED ALWAYS AS (CASE WHEN typeof(${USER_ID_STORED}) = 'integer' THEN user_key ELSE ${USER_ID_STORED} END) VIRTUAL`,
  ],
};

/**
 * The schema objects on events, written for the stored intent code: a
 * trigger `AFTER UPDATE OF intent` fires on updates of `intent_code` (no
 * statement can set a generated column), and an index holds the code (a
 * VIRTUAL column in an index would make every read of it leave the index).
 */
export function intentCodeReferences(sql: string): string {
  return sql
    .replace(/\bUPDATE OF ([\w\s,]+?) ON events\b/g, (clause, columns: string) =>
      clause.replace(columns, columns.replace(/\bintent\b/g, INTENT_CODE)),
    )
    .replace(/^(CREATE INDEX \w+ ON events\s*\()([^)]*)\)/, (_, head: string, columns: string) =>
      `${head}${columns.replace(/\bintent\b/g, INTENT_CODE)})`,
    );
}

/**
 * Two columns of nearly every row stop repeating what is known otherwise,
 * 13 and 7 of a row's 178 bytes at 1M bench events:
 *
 * - `intent` holds one of the default taxonomy's names on most prompts,
 *   responses and actions. It is now a vocabulary column like `type`
 *   (migration 033): `intent_code` stores the name's code or, for a
 *   taxonomy of one's own, the name; `intent` reads it back. Classification
 *   writes the code (classification-statements.ts), the triggers on intent
 *   changes watch it, and `events_feedback_turn_metrics` holds it (the
 *   satisfaction query that reads that index decodes it there).
 * - `user_id` always equals `user_key` when ingest stores it (an event with
 *   a user id is counted for that user). `user_id_stored` keeps it only when
 *   the two differ — after an alias moved the row to another key, whose
 *   relabel writes the old key out (statements.ts) — and `user_id` reads it
 *   back.
 *
 * One rebuild of the table for both (events-table-rebuild.ts).
 */
export const intentCodesUserIdsMigration: ProgramMigration = {
  version: 36,
  name: 'intents as vocabulary codes; a user id that is the user key stored once',
  apply(db: Database.Database): void {
    rebuildEventsTable(db, EVENTS_TABLE_036, intentCodeReferences);
  },
};
