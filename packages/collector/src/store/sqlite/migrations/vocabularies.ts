/**
 * The values that nearly every events row holds in a few columns, in each
 * vocabulary's order. A row stores such a value as its position (1, 2…: one
 * byte, in the column's `…_code` twin) and anything else as the text itself.
 *
 * Frozen: the events table's definition reads these codes back, so a code
 * means its value for as long as the table exists. A value added here later
 * would need another rebuild of the table; until then it is stored as text,
 * which reads back the same. Coded since migration 033 (`intent` since 036);
 * event names are coded differently (migration 035 says why).
 */
export const VOCABULARIES = {
  type: ['track', 'identify', 'page', 'screen', 'group', 'alias'],
  status: ['success', 'error', 'timeout'],
  input_method: ['text', 'voice', 'button'],
  // The default taxonomy's intents (intent/default-taxonomy.json) and the
  // classification worker's dead-letter mark; since migration 036. Intents of
  // a taxonomy of one's own are stored as text.
  intent: [
    'product_inquiry',
    'support_shipping',
    'support_returns',
    'technical_support',
    'account_management',
    'billing_payment',
    'other',
    'classification_error',
  ],
} as const;

export type VocabularyColumn = keyof typeof VOCABULARIES;

/** The stored column that holds a vocabulary column's code or text. */
export const codeColumn = (column: VocabularyColumn): string => `${column}_code`;

/**
 * SQL: the stored form of the value `valueSql` in `column`'s vocabulary: its
 * code, or the value itself outside the vocabulary. The code columns have no
 * type affinity, so a text stays text and never equals a code ('1' is not 1).
 */
export function vocabularyCodeSql(column: VocabularyColumn, valueSql: string): string {
  const codes = VOCABULARIES[column].map((value, index) => `WHEN '${value}' THEN ${index + 1}`).join(' ');
  return `CASE ${valueSql} ${codes} ELSE ${valueSql} END`;
}

/**
 * SQL: the value a vocabulary column reads as, from its stored code column
 * (or `code`, that column of a named row: a query that must stay answered
 * from an index reads the code column and this, not the generated column).
 */
export function vocabularyValueSql(column: VocabularyColumn, code: string = codeColumn(column)): string {
  const values = VOCABULARIES[column].map((value, index) => `WHEN ${index + 1} THEN '${value}'`).join(' ');
  return `CASE ${code} ${values} ELSE ${code} END`;
}
