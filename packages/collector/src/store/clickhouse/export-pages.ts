import { isoTime, storedJson, type ExportedEvent, type ExportRange } from '../event-export.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseTables } from './clickhouse-tables.js';
import { toEventId } from './event-ids.js';
import { eventRowsSql } from './metrics/event-rows-sql.js';
import { sqlList, sqlValue } from './sql-value.js';
import { TRAFFIC_BOT, TRAFFIC_DEBUG, TRAFFIC_INTERNAL } from './traffic.js';

/** Rows per page: about 0.5 MB of NDJSON, as the SQLite export. */
export const EXPORT_PAGE_SIZE = 1000;

const STORED_COLUMNS = [
  'type', 'event', 'user_id', 'anonymous_id', 'session_id', 'conversation_id', 'prompt_number', 'ts', 'original_ts', 'sent_at',
  'latency_ms', 'time_to_first_token_ms', 'tokens_per_second', 'response_id', 'regenerated_from', 'prompt_tokens',
  'completion_tokens', 'total_tokens', 'cost', 'model', 'status', 'error_type', 'intent', 'action_type', 'feedback_type',
  'feedback_value', 'rating', 'thumbs_up', 'traffic', 'properties', 'context', 'traits', 'extra',
] as const;

/** A row of the export query: the stored columns plus user_key, eff_intent and sampled. */
type EventRow = Record<string, any>;

/**
 * The range's events a page at a time in the order they were received
 * (first-received time, then write key and message id): keyset pages, so
 * nothing is held between two pages. Each page reads a window of arrival
 * times — from where the last page ended to the time of the next
 * `pageSize` stored rows — and folds only the messages seen in it (their
 * copies before the window included, so each message counts from its first
 * copy), so a page costs the same at the end of a large export as at its
 * start. Then the full rows of those messages only, with identity and
 * intents resolved. Each message is exported once, as its first-received copy.
 */
export async function* exportEventPages(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  range: ExportRange,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<ExportedEvent[]> {
  const events = tables.table('events');
  // Every message whose first copy arrived before `fromMs` has been exported or taken; `after` is the last one taken.
  let fromMs = range.fromMs;
  let after: PageKey | null = null;
  let exhausted = false;
  while (!exhausted) {
    const keys: PageKey[] = [];
    while (keys.length < pageSize) {
      const [window] = await connection.rows<{ rows: number; upper: number }>(
        `SELECT count() AS rows, max(received_at) AS upper
           FROM (SELECT received_at FROM ${events} WHERE received_at >= ${sqlValue(fromMs)} AND received_at < ${sqlValue(range.toMs)}
                  ORDER BY received_at LIMIT ${sqlValue(pageSize)})`,
      );
      if (window === undefined || window.rows === 0) {
        exhausted = true;
        break;
      }
      const position: string = after === null
        ? '1'
        : `(first_received_at, write_key, message_id) > (${sqlValue(after.first_received_at)}, ${sqlValue(after.write_key)}, ${sqlValue(after.message_id)})`;
      const missing = pageSize - keys.length;
      const found: PageKey[] = await connection.rows<PageKey>(
        `SELECT write_key, message_id, min(received_at) AS first_received_at FROM ${events}
          WHERE received_at >= ${sqlValue(range.fromMs)} AND received_at <= ${sqlValue(window.upper)}
            AND message_id IN (SELECT message_id FROM ${events} WHERE received_at >= ${sqlValue(fromMs)} AND received_at <= ${sqlValue(window.upper)})
          GROUP BY write_key, message_id
         HAVING ${position}
          ORDER BY first_received_at, write_key, message_id LIMIT ${sqlValue(missing)}`,
      );
      keys.push(...found);
      after = keys.at(-1) ?? after;
      // A short answer took every message first received up to the window's end; a full one may have left some at its last time.
      fromMs = found.length < missing ? window.upper + 1 : (after as PageKey).first_received_at;
    }
    if (keys.length === 0) return;
    const wanted = new Set(keys.map((key) => `${key.write_key}\n${key.message_id}`));
    const rows = eventRowsSql(tables, {
      where: `message_id IN ${sqlList([...new Set(keys.map((key) => key.message_id))])}`,
      columns: STORED_COLUMNS,
      userKey: true,
      intents: true,
    });
    const page = (await connection.rows<EventRow>(`SELECT * FROM (${rows}) ORDER BY received_at, write_key, message_id`))
      // Same message id under another write key: not this page's.
      .filter((row) => wanted.has(`${row['write_key']}\n${row['message_id']}`));
    yield page.map(toExportedEvent);
  }
}

interface PageKey {
  write_key: string;
  message_id: string;
  first_received_at: number;
}

function toExportedEvent(row: Record<string, any>): ExportedEvent {
  const isPrompt = row['event'] === 'ai_user_prompt_created';
  return {
    event_id: toEventId({ writeKey: row['write_key'], messageId: row['message_id'] }),
    message_id: row['message_id'],
    type: row['type'],
    event: row['event'] === '' ? null : row['event'],
    user_id: row['user_id'],
    anonymous_id: row['anonymous_id'],
    user_key: row['user_key'],
    session_id: row['session_id'],
    conversation_id: row['conversation_id'],
    prompt_number: row['prompt_number'],
    timestamp: isoTime(row['ts']),
    original_timestamp: row['original_ts'] === null ? null : isoTime(row['original_ts']),
    sent_at: row['sent_at'] === null ? null : isoTime(row['sent_at']),
    received_at: isoTime(row['received_at']),
    latency_ms: row['latency_ms'],
    time_to_first_token_ms: row['time_to_first_token_ms'],
    tokens_per_second: row['tokens_per_second'],
    response_id: row['response_id'],
    regenerated_from: row['regenerated_from'],
    prompt_tokens: row['prompt_tokens'],
    completion_tokens: row['completion_tokens'],
    total_tokens: row['total_tokens'],
    cost: row['cost'],
    model: row['model'],
    status: row['status'],
    error_type: row['error_type'],
    intent: row['eff_intent'],
    intent_sampled: isPrompt && row['sampled'] !== null ? row['sampled'] === 1 : null,
    action_type: row['action_type'],
    feedback_type: row['feedback_type'],
    feedback_value: row['feedback_value'],
    rating: row['rating'],
    thumbs_up: row['thumbs_up'] === null ? null : row['thumbs_up'] === 1,
    debug: (row['traffic'] & TRAFFIC_DEBUG) !== 0,
    bot: (row['traffic'] & TRAFFIC_BOT) !== 0,
    internal: (row['traffic'] & TRAFFIC_INTERNAL) !== 0,
    properties: storedJson(row['properties']),
    context: storedJson(row['context']),
    traits: row['traits'] === null ? null : storedJson(row['traits']),
    extra: row['extra'] === null ? null : storedJson(row['extra']),
  };
}
