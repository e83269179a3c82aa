/**
 * Where an `events` row keeps its context JSON: rows stored since migration
 * 016 name a row of the `contexts` dictionary (`context_id`) and leave their
 * own column empty; older rows hold the text themselves.
 */

/** SQL: the context JSON text of the events row `row` (a table alias or `NEW`/`OLD`). */
export const storedContextSql = (row: string): string =>
  `CASE WHEN ${row}.context_id IS NULL THEN ${row}.context ELSE (SELECT context FROM contexts WHERE id = ${row}.context_id) END`;

/** A row read with `storedContextSql(…) AS stored_context`. */
export interface StoredContext {
  /** The context JSON as serializeEvent wrote it (without the session id), wherever the row keeps it. */
  stored_context: string;
}
