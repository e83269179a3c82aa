import { AI_EVENT } from '../../protocol/index.js';
import type { TableName } from './clickhouse-tables.js';
import { sqlList } from './sql-value.js';

/** Rollup rows are per quarter hour: every zone's local midnight and DST change falls on one, so local days stay exact. */
export const QUARTER_MS = 15 * 60 * 1000;

const PROMPT = AI_EVENT.promptCreated;
const RESPONSE = AI_EVENT.responseReceived;

/** A rollup table and how its rows are computed from the events (the materialized view's query, and the backfill's). */
export interface RollupSource {
  table: Extract<TableName, 'prompt_activity' | 'session_activity' | 'conversation_activity'>;
  /** SELECT over the events table `eventsTable` (restricted by the stored-columns condition `where`) giving the rollup's rows. */
  select(eventsTable: string, where?: string): string;
}

const QUARTER = `intDiv(ts, ${QUARTER_MS}) * ${QUARTER_MS} AS quarter`;

/** The traffic bits and raw ids of an event as rollup key columns ('' for an id it lacks). */
const TRAFFIC_AND_IDS = `traffic, ifNull(user_id, '') AS user, ifNull(anonymous_id, '') AS anonymous, ifNull(previous_id, '') AS previous`;

// Each SELECT lists its columns in the table's order: the backfill's INSERT … SELECT matches them by position.

/** Who prompted in which quarter hour, with which traffic bits: presence only (active users, retention cohorts). */
const promptActivity: RollupSource = {
  table: 'prompt_activity',
  select: (eventsTable, where = '1') => `SELECT ${QUARTER}, ${TRAFFIC_AND_IDS} FROM ${eventsTable} WHERE event = '${PROMPT}' AND (${where})`,
};

/** Sessions (prompts and responses by `session_id`) or conversations (prompts by `conversation_id`): threads of messages. */
export interface ThreadRollup {
  table: Extract<TableName, 'session_activity' | 'conversation_activity'>;
  idColumn: 'session_id' | 'conversation_id';
  events: readonly string[];
}

export const SESSION_THREADS: ThreadRollup = { table: 'session_activity', idColumn: 'session_id', events: [PROMPT, RESPONSE] };
export const CONVERSATION_THREADS: ThreadRollup = { table: 'conversation_activity', idColumn: 'conversation_id', events: [PROMPT] };

/** Columns of a thread rollup table (`thread_id` is the session or conversation id). */
export const THREAD_COLUMNS = `thread_id String, quarter Int64, event String, traffic UInt8, user String, anonymous String, previous String,
    first_ts AggregateFunction(min, Int64), last_ts AggregateFunction(max, Int64), messages AggregateFunction(uniqExact, String, String)`;

/**
 * Per thread, quarter hour, message kind, traffic and raw ids: the first
 * and last message time and the set of messages (write key, message id), so
 * copies of a retried message count once and every row can be merged with
 * any other of its thread.
 */
function threadSource(thread: ThreadRollup): RollupSource {
  return {
    table: thread.table,
    select: (eventsTable, where = '1') => `SELECT assumeNotNull(${thread.idColumn}) AS thread_id, ${QUARTER}, event, ${TRAFFIC_AND_IDS},
        minState(ts) AS first_ts, maxState(ts) AS last_ts, uniqExactState(write_key, message_id) AS messages
      FROM ${eventsTable} WHERE event IN ${sqlList(thread.events)} AND isNotNull(${thread.idColumn}) AND (${where})
      GROUP BY thread_id, quarter, event, traffic, user, anonymous, previous`,
  };
}

export const ROLLUP_SOURCES: readonly RollupSource[] = [promptActivity, threadSource(SESSION_THREADS), threadSource(CONVERSATION_THREADS)];

/** The rows of a rollup that describe events of these user keys (the condition erasure applies to the events, on the raw id columns). */
export function rollupRowsOfKeysSql(keysList: string): string {
  return `(user IN ${keysList} OR anonymous IN ${keysList} OR (user = '' AND anonymous = '' AND previous IN ${keysList}))`;
}
