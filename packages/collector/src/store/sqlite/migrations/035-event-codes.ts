import type Database from 'better-sqlite3';
import { EVENTS_TABLE_033 } from './033-vocabulary-columns.js';
import { columnName, rebuildEventsTable, type EventsTableColumns } from './events-table-rebuild.js';
import type { ProgramMigration } from './migration.js';

/**
 * The event names nearly every row holds, in code order: a row stores one
 * as its code, the text '1'…'4'. Frozen: the events table's definition reads
 * the codes back (a name added later would need another rebuild, and until
 * then is stored as text).
 */
export const CODED_EVENTS = ['ai_user_prompt_created', 'ai_llm_response_received', 'ai_user_action', 'chatmeter_sdk_health'] as const;
export type CodedEvent = (typeof CODED_EVENTS)[number];

/**
 * Marks a stored name that is not a code: any other name one character
 * long or starting with the mark itself is stored behind it, so a stored
 * value is a code exactly when it is one character long.
 */
const ESCAPE = '~';
const EVENT_CODE = 'event_code';

/** The code of a name, as the text the column stores, or undefined for a name outside CODED_EVENTS. */
export function eventCode(event: string): string | undefined {
  const index = (CODED_EVENTS as readonly string[]).indexOf(event);
  return index < 0 ? undefined : String(index + 1);
}

/** What `event_code` stores for a name: its code, or the name (behind ESCAPE when it could read as a code). */
export function storedEventName(event: string | null): string | null {
  if (event === null) return null;
  return eventCode(event) ?? (event.length === 1 || event.startsWith(ESCAPE) ? ESCAPE + event : event);
}

/** SQL: storedEventName of the name `valueSql`. */
export function storedEventNameSql(valueSql: string): string {
  const codes = CODED_EVENTS.map((event, index) => `WHEN '${event}' THEN '${index + 1}'`).join(' ');
  return `CASE ${valueSql} ${codes}
    ELSE CASE WHEN length(${valueSql}) = 1 OR substr(${valueSql}, 1, 1) = '${ESCAPE}' THEN '${ESCAPE}' || ${valueSql} ELSE ${valueSql} END END`;
}

/** SQL: the name a stored `event_code` reads as. */
const EVENT_NAME_SQL = `CASE ${EVENT_CODE} ${CODED_EVENTS.map((event, index) => `WHEN '${index + 1}' THEN '${event}'`).join(' ')}
    ELSE CASE WHEN substr(${EVENT_CODE}, 1, 1) = '${ESCAPE}' THEN substr(${EVENT_CODE}, 2) ELSE ${EVENT_CODE} END END`;

const NAME = `'([^']*)'`;

/**
 * `sql` with each comparison of an event name column to coded names made on
 * the stored code instead: `e.event = 'ai_user_action'` becomes
 * `e.event_code = '3'`, `event IN ('a', 'b')` `event_code IN ('1', '2')`.
 */
export function eventCodeComparisons(sql: string): string {
  return sql
    .replace(new RegExp(`\\b((?:\\w+\\.)?)event\\s*=\\s*${NAME}`, 'g'), (comparison, row: string, event: string) => {
      const code = eventCode(event);
      return code === undefined ? comparison : `${row}${EVENT_CODE} = '${code}'`;
    })
    .replace(new RegExp(`\\b((?:\\w+\\.)?)event\\s+IN\\s*\\(\\s*(${NAME}(?:\\s*,\\s*${NAME})*)\\s*\\)`, 'g'), (comparison, row: string, list: string) => {
      const codes = [...list.matchAll(new RegExp(NAME, 'g'))].map(([, event]) => eventCode(event ?? ''));
      return codes.every((code) => code !== undefined) ? `${row}${EVENT_CODE} IN (${codes.map((code) => `'${code}'`).join(', ')})` : comparison;
    });
}

/** Whether `db`'s events table stores event names as codes (migration 035 applied). */
export function storesEventCodes(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM pragma_table_info('events') WHERE name = '${EVENT_CODE}'`).get() !== undefined;
}

/** The events table as this migration leaves it (migration 036 rebuilds it from these). */
export const EVENTS_TABLE_035: EventsTableColumns = {
  stored: EVENTS_TABLE_033.stored.map(([definition]) =>
    columnName(definition) === 'event' ? [`${EVENT_CODE} TEXT`, storedEventNameSql('event')] : [definition, columnName(definition)],
  ),
  generated: [...EVENTS_TABLE_033.generated.map(eventCodeComparisons), `event TEXT GENERATED ALWAYS AS (${EVENT_NAME_SQL}) VIRTUAL`],
};

/**
 * Event names as one-character codes: at 1M bench events the `event` column
 * took 21.5 of a row's 157 bytes of values ('ai_llm_response_received' in
 * 40% of the rows). `event_code` stores the code of a name of CODED_EVENTS
 * (the SDK's three AI events and its health report) or any other name as
 * text; `event` is a VIRTUAL column that reads the name back, so whatever
 * only reads names is unchanged.
 *
 * A query naming a VIRTUAL column is never answered from an index alone
 * (migration 033), so what filters on the name compares the code: the
 * partial indexes, views and triggers are re-created with their comparisons
 * rewritten (eventCodeComparisons), and the statements that use those
 * indexes state the code (`metrics/sql-constants.ts`,
 * classification-statements.ts) or rewrite theirs the same way when the
 * schema has codes (the fold's, which also run on older schemas in tests).
 *
 * The codes are text, and the column has TEXT affinity, unlike the integer
 * codes of migration 033: SQLite treats a column that a partial index's
 * WHERE fixes to a constant as held by the index only when the column has
 * an affinity other than BLOB, and the covering plans of the partial
 * indexes depend on it (`events_response_turn` for a turn's model,
 * `events_turn_intent` for a conversation's prompts). A name that could be
 * read as a code is stored behind ESCAPE.
 */
export const eventCodesMigration: ProgramMigration = {
  version: 35,
  name: 'event names stored as codes',
  apply(db: Database.Database): void {
    rebuildEventsTable(db, EVENTS_TABLE_035, eventCodeComparisons);
  },
};
