import type Database from 'better-sqlite3';
import { isoTime, storedJson, type ExportedEvent, type ExportRange } from '../event-export.js';
import { toEventId } from './event-ids.js';
import type { EventTableRow } from './event-table-row.js';
import { messageIdFromStored } from './message-ids.js';
import { restoreContext, restoreProperties, storedPropertiesJson, unpackedProperties } from './lean-event-json.js';
import { withIdsAsSent } from './session-conversation-ids.js';
import { storedContextSql, type StoredContext } from './stored-context.js';
import { receivedAtSql, storedTimesSql, type StoredTimes } from './stored-times.js';
import { TRAFFIC_BIT } from './traffic-flags.js';

/** Rows per page: about 0.5 MB of NDJSON, small next to the process, large enough that per-query overhead vanishes. */
export const EXPORT_PAGE_SIZE = 1000;


/**
 * The range's events a page at a time, by id (storage order). Keyset pages
 * rather than one open `.iterate()`: better-sqlite3 refuses every other
 * statement on a connection while an iterator is open, and this connection
 * is the one ingest writes on; between two pages nothing is held, so a slow
 * export client never blocks ingest or checkpoints. Events stored while the
 * export runs are included when they fall in the range.
 */
export async function* exportEventPages(db: Database.Database, range: ExportRange, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<ExportedEvent[]> {
  const page = db.prepare(
    `SELECT e.*, ${storedContextSql('e')} AS stored_context, ${storedTimesSql('e')} FROM events e
      WHERE e.id > @after AND ${receivedAtSql('e')} >= @from AND ${receivedAtSql('e')} < @to
      ORDER BY e.id LIMIT @limit`,
  );
  let after = 0;
  for (;;) {
    const rows = page.all({ after, from: range.fromMs, to: range.toMs, limit: pageSize }) as (EventTableRow & StoredContext & StoredTimes)[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((row) => toExportedEvent(withIdsAsSent(row)));
    if (rows.length < pageSize) return;
  }
}

function toExportedEvent(row: EventTableRow & StoredContext & StoredTimes): ExportedEvent {
  return {
    event_id: toEventId(row.id),
    message_id: messageIdFromStored(row.message_id),
    type: row.type,
    event: row.event,
    user_id: row.user_id,
    anonymous_id: row.anonymous_id,
    user_key: row.user_key,
    session_id: row.session_id,
    conversation_id: row.conversation_id,
    prompt_number: row.prompt_number,
    timestamp: isoTime(row.ts),
    original_timestamp: row.original_ts === null ? null : isoTime(row.original_ts),
    sent_at: row.sent_at === null ? null : isoTime(row.sent_at),
    received_at: isoTime(row.received_at),
    latency_ms: row.latency_ms,
    time_to_first_token_ms: row.time_to_first_token_ms,
    tokens_per_second: row.tokens_per_second,
    response_id: row.response_id,
    regenerated_from: row.regenerated_from,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    total_tokens: row.total_tokens,
    cost: row.cost,
    model: row.model,
    status: row.status,
    error_type: row.error_type,
    intent: row.intent,
    intent_sampled: row.intent_sampled === null ? null : row.intent_sampled === 1,
    action_type: row.action_type,
    feedback_type: row.feedback_type,
    feedback_value: row.feedback_value,
    rating: row.rating,
    thumbs_up: row.thumbs_up === null ? null : row.thumbs_up === 1,
    debug: (row.debug & TRAFFIC_BIT.debug) !== 0,
    bot: (row.debug & TRAFFIC_BIT.bot) !== 0,
    internal: (row.debug & TRAFFIC_BIT.internal) !== 0,
    properties: restored(storedPropertiesJson(row.properties), (stored) => restoreProperties(row, stored), unpackedProperties),
    context: restored(row.stored_context, (stored) => restoreContext(row, stored)),
    traits: row.traits === null ? null : storedJson(row.traits),
    extra: row.extra === null ? null : storedJson(row.extra),
  };
}

/** A JSON column as stored, with what the typed columns hold put back when it is an object (a damaged value is exported as it is). */
function restored(
  text: string,
  restore: (stored: Record<string, unknown>) => Record<string, unknown>,
  unpack: (stored: unknown) => unknown = (stored) => stored,
): unknown {
  const stored = unpack(storedJson(text));
  return typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? restore(stored as Record<string, unknown>) : stored;
}
