import type Database from 'better-sqlite3';
import { type CodedEvent, eventCode, eventCodeComparisons, storesEventCodes } from './migrations/035-event-codes.js';
import { VOCABULARIES, type VocabularyColumn } from './migrations/vocabularies.js';

/**
 * Codes by value, per vocabulary column. BigInt: better-sqlite3 binds a JS
 * number as a REAL, which a column without affinity keeps in 8 bytes; a
 * BigInt binds as an INTEGER and takes one.
 */
const CODES = new Map<VocabularyColumn, ReadonlyMap<string, bigint>>(
  (Object.keys(VOCABULARIES) as VocabularyColumn[]).map((column) => [
    column,
    new Map(VOCABULARIES[column].map((value, index) => [value, BigInt(index + 1)])),
  ]),
);

/**
 * What the writer stores for `value` in a vocabulary column (migration 033):
 * its code, or the text itself outside the vocabulary; the table's generated
 * column reads either back as the value.
 */
export function storedVocabularyValue(column: VocabularyColumn, value: string | null): bigint | string | null {
  if (value === null) return null;
  return CODES.get(column)?.get(value) ?? value;
}

/**
 * The SQL literal of a coded event name (migration 035), for statements that
 * filter on `event_code`: inlined, not bound, because SQLite only uses a
 * partial index (`WHERE event_code = '1'`) when the query states the same
 * literal.
 */
export function eventCodeSql(event: CodedEvent): string {
  return `'${eventCode(event) ?? ''}'`;
}

/**
 * For statements that also run on databases from before migration 035 (the
 * fold's, which migration tests run at every schema age): rewrites `sql`'s
 * comparisons of event names to compare codes when `db` stores them, so the
 * partial indexes on codes serve them.
 */
export function eventComparisonsFor(db: Database.Database): (sql: string) => string {
  return storesEventCodes(db) ? eventCodeComparisons : (sql) => sql;
}
