import type Database from 'better-sqlite3';
import type { MessageType } from '../protocol/index.js';
import type { EventRecord } from '../store/event-record.js';
import type { EventTableRow } from '../store/sqlite/event-table-row.js';
import { messageIdFromStored } from '../store/sqlite/message-ids.js';
import { restoreContext, restoreProperties, storedPropertiesJson, unpackedProperties } from '../store/sqlite/lean-event-json.js';
import { withIdsAsSent } from '../store/sqlite/session-conversation-ids.js';
import { storedContextSql, type StoredContext } from '../store/sqlite/stored-context.js';
import { receivedAtSql, storedTimesSql, type StoredTimes } from '../store/sqlite/stored-times.js';
import { TRAFFIC_BIT } from '../store/sqlite/traffic-flags.js';
import { storedWriteKeySql } from '../store/sqlite/write-key-codes.js';

/** One page of a SQLite file's events as ingest records, and the row id to continue after. */
export interface SourcePage {
  records: EventRecord[];
  lastRowId: number;
}

/** alias only: the id the alias merged, recovered from the identities table (the events table does not keep previousId). */
type EventRow = EventTableRow & StoredContext & StoredTimes & { previous_id: string | null; stored_write_key: string };

/**
 * A SQLite file's events in storage order, a page at a time after `afterRowId`,
 * rebuilt as the records ingest once handed to the store, so another engine
 * stores them exactly as if they had arrived over HTTP. Unlike the export
 * (`GET /v1/export`), this keeps the write key (duplicates are per write key)
 * and the acquisition channel. Keyset pages, as the export does, so the file
 * can stay in use by a running collector.
 *
 * Left out on purpose: prompt texts still waiting for classification (texts
 * are never copied; such prompts arrive unclassified) and classifier usage.
 */
export async function* readEventPages(db: Database.Database, afterRowId: number, pageSize: number): AsyncGenerator<SourcePage> {
  const page = db.prepare(
    `SELECT e.*, ${storedContextSql('e')} AS stored_context, ${storedWriteKeySql('e')} AS stored_write_key, ${storedTimesSql('e')},
            CASE WHEN e.type = 'alias' THEN
              (SELECT i.anonymous_id FROM identities i
                WHERE i.user_id = e.user_id AND i.linked_at = ${receivedAtSql('e')} AND i.anonymous_id IS NOT e.anonymous_id
                ORDER BY i.anonymous_id LIMIT 1)
            END AS previous_id
       FROM events e
      WHERE e.id > ?
      ORDER BY e.id
      LIMIT ?`,
  );
  let after = afterRowId;
  for (;;) {
    const rows = page.all(after, pageSize) as EventRow[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield { records: rows.map((row) => toEventRecord(withIdsAsSent(row))), lastRowId: after };
    if (rows.length < pageSize) return;
  }
}

function toEventRecord(row: EventRow): EventRecord {
  return {
    writeKey: row.stored_write_key,
    messageId: messageIdFromStored(row.message_id),
    type: row.type as MessageType,
    event: row.event,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    previousId: row.previous_id,
    sessionId: row.session_id,
    conversationId: row.conversation_id,
    promptNumber: row.prompt_number,
    timestamp: row.ts,
    originalTimestamp: row.original_ts,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    latencyMs: row.latency_ms,
    timeToFirstTokenMs: row.time_to_first_token_ms,
    tokensPerSecond: row.tokens_per_second,
    responseId: row.response_id,
    regeneratedFrom: row.regenerated_from,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    totalTokens: row.total_tokens,
    cost: row.cost,
    model: row.model,
    status: row.status,
    errorType: row.error_type,
    intent: row.intent,
    actionType: row.action_type,
    feedbackType: row.feedback_type,
    feedbackValue: row.feedback_value,
    rating: row.rating,
    thumbsUp: row.thumbs_up === null ? null : row.thumbs_up === 1,
    // The flags column (sqlite/traffic-flags.ts): bot and internal as stored, so the
    // copy keeps what stickiness gave each event when it arrived.
    debug: (row.debug & TRAFFIC_BIT.debug) !== 0,
    bot: (row.debug & TRAFFIC_BIT.bot) !== 0,
    internal: (row.debug & TRAFFIC_BIT.internal) !== 0,
    properties: restoreProperties(row, jsonObject(storedPropertiesJson(row.properties), unpackedProperties) ?? {}),
    context: restoreContext(row, jsonObject(row.stored_context) ?? {}),
    acquisitionChannel: row.channel,
    traits: row.traits === null ? null : jsonObject(row.traits),
    extra: row.extra === null ? {} : (jsonObject(row.extra) ?? {}),
    pendingPromptText: null,
    ingestClassificationUsage: null,
  };
}

/** The collector wrote these columns with JSON.stringify of an object (or of a packed health report, which `unpack` reads); anything else (a damaged value) becomes null. */
function jsonObject(text: string, unpack: (stored: unknown) => unknown = (stored) => stored): Record<string, unknown> | null {
  try {
    const value = unpack(JSON.parse(text));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
