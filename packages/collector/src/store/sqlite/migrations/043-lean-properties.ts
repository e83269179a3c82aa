import type { ProgramMigration } from './migration.js';

/**
 * Marks the file as holding two leaner forms of the properties column, which
 * the writer uses from this version on (lean-event-json.ts):
 *
 * - an empty text instead of `{}` when the typed columns hold every
 *   property, as for nearly every prompt and response;
 * - feedback without its `action_details` when `feedback_type` and
 *   `feedback_value` hold them exactly.
 *
 * The readers of whole events (the export, the copy to another engine) put
 * both back, and read rows stored before, which keep both, as they are. No
 * table changes: the version is what makes a collector that predates the
 * forms refuse the file (SchemaVersionError) rather than export `""` as an
 * event's properties or feedback without its details. Rows already stored
 * are not rewritten: a row that shrinks in place frees bytes that only a
 * VACUUM returns, so the file would not get smaller.
 */
export const leanPropertiesMigration: ProgramMigration = {
  version: 43,
  name: 'properties stored without what the columns hold: empty as no text, feedback details in their columns',
  apply(): void {},
};
