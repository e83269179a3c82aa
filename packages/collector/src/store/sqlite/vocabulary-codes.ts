import { VOCABULARIES, type VocabularyColumn } from './migrations/033-vocabulary-columns.js';

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
