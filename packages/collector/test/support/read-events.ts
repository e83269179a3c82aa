import Database from 'better-sqlite3';
import { restoreContext, restoreProperties, storedPropertiesJson, unpackedProperties } from '../../src/store/sqlite/lean-event-json.js';
import type { EventTableRow } from '../../src/store/sqlite/event-table-row.js';
import { messageIdFromStored } from '../../src/store/sqlite/message-ids.js';
import { storedId, withIdsAsSent } from '../../src/store/sqlite/session-conversation-ids.js';
import { storedContextSql, type StoredContext } from '../../src/store/sqlite/stored-context.js';

/** A stored event as the export and the copy see it: the message, session and conversation ids and the `properties` and `context` as sent (JSON text), wherever the store keeps the context (stored-context.ts). */
export type StoredEventRow = EventTableRow;

/**
 * The events matching `where`, in storage order, with the JSON columns as
 * sent: the SQLite store keeps a property that a typed column holds only in
 * that column and a health report's properties as an array of values
 * (lean-event-json.ts), and puts them back for every reader of whole
 * events, as this does.
 */
export function selectEvents(db: Database.Database, where = '1 = 1'): StoredEventRow[] {
  const rows = db.prepare(`SELECT *, ${storedContextSql('events')} AS stored_context FROM events WHERE ${where} ORDER BY id`).all() as (EventTableRow & StoredContext)[];
  return rows.map(withIdsAsSent).map(({ stored_context: storedContext, ...row }) => ({
    ...row,
    message_id: messageIdFromStored(row.message_id),
    properties: JSON.stringify(restoreProperties(row, unpackedProperties(JSON.parse(storedPropertiesJson(row.properties))) as Record<string, unknown>)),
    context: JSON.stringify(restoreContext(row, JSON.parse(storedContext) as Record<string, unknown>)),
  }));
}

/** A `where` term for the events of a conversation, by its id as sent (the store keeps a UUID in a shorter form). */
export function whereConversation(conversationId: string): string {
  return `conversation_id = '${storedId(conversationId).replaceAll("'", "''")}'`;
}

/** Reads the collector's events through a second, read-only connection (WAL allows it while the collector writes). */
export function readEvents(dbPath: string, where = '1 = 1'): StoredEventRow[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return selectEvents(db, where);
  } finally {
    db.close();
  }
}

/** Polls until `check` passes (it throws until then) or the timeout ends. */
export async function eventually<T>(check: () => T, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
