import { AI_EVENT } from '../../../protocol/index.js';
import { CLASSIFICATION_ERROR } from '../../../classification/classification-worker.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlList } from '../sql-value.js';

export const PROMPT = AI_EVENT.promptCreated;
export const RESPONSE = AI_EVENT.responseReceived;
export const ACTION = AI_EVENT.userAction;

/** What a query reads of the events: which ones, which columns, and what it derives. */
export interface EventRowsSpec {
  /** Event names (the `event` column); every event when absent. */
  events?: readonly string[];
  /** SQL condition on the stored columns, applied before duplicates are folded (e.g. the time range). */
  where?: string;
  /** Stored columns the query needs besides write_key, message_id and received_at. */
  columns: readonly string[];
  /** Adds `user_key`: userId, else the userId linked to anonymousId (identify / alias), else anonymousId. */
  userKey?: boolean;
  /**
   * Adds `eff_intent` and `sampled`: a prompt's intent is the classifier's
   * (prompt_intents) when it ran, else its own; a response's or action's is
   * its own, else that of its turn's prompt (same prompt_number, latest one
   * with an intent; without a prompt_number, the conversation's latest prompt
   * at or before it).
   */
  intents?: boolean;
  /**
   * Adds `turn_model` to feedback: its own model, else that of the response
   * it names by response_id when stored (same write key), else that of its
   * turn's latest response with a model.
   */
  turnModels?: boolean;
}

/**
 * The events a metric reads, each once: every (write_key, message_id) is
 * folded into its first-received copy (a retry that reached two collectors,
 * or copies ReplacingMergeTree has not merged yet, count once), and the
 * derived columns of the spec are computed at query time from the identity,
 * intent and event tables. One JOIN per SELECT level (18.16 allows no more),
 * so each derivation wraps the previous level.
 */
export function eventRowsSql(tables: ClickHouseTables, spec: EventRowsSpec): string {
  const needed = new Set(spec.columns);
  if (spec.userKey === true) ['user_id', 'anonymous_id', 'previous_id'].forEach((column) => needed.add(column));
  if (spec.intents === true || spec.turnModels === true) ['event', 'conversation_id', 'prompt_number', 'ts', 'intent'].forEach((column) => needed.add(column));
  if (spec.turnModels === true) ['model', 'response_id', 'feedback_type'].forEach((column) => needed.add(column));
  needed.delete('write_key');
  needed.delete('message_id');
  needed.delete('received_at');
  let sql = dedupedSql(tables, spec.events, spec.where ?? '1', [...needed]);
  if (spec.userKey === true) sql = withUserKeySql(tables, sql);
  if (spec.intents === true) {
    // Prompts alone need no turn: their intent is their own (or the classifier's).
    const promptsOnly = spec.events !== undefined && spec.events.every((event) => event === PROMPT);
    // Only prompts have classifier verdicts: rows without prompts skip that join.
    const withPrompts = spec.events === undefined || spec.events.includes(PROMPT);
    sql = promptsOnly ? `SELECT *, prompt_intent AS eff_intent FROM (${withPromptIntentSql(tables, sql)})` : withIntentsSql(tables, sql, spec.where ?? '1', withPrompts);
  }
  if (spec.turnModels === true) sql = withTurnModelsSql(tables, sql, spec.where ?? '1');
  return sql;
}

function eventsTerm(events: readonly string[] | undefined): string {
  return events === undefined ? '1' : `event IN ${sqlList(events)}`;
}

/** The first-received copy of each (write_key, message_id) among the rows matching `where`. */
function dedupedSql(tables: ClickHouseTables, events: readonly string[] | undefined, where: string, columns: readonly string[]): string {
  const picked = columns.map((column) => `argMin(${column}, received_at) AS first_${column}`);
  const renamed = columns.map((column) => `first_${column} AS ${column}`);
  return `SELECT write_key, message_id, first_received_at AS received_at${renamed.map((column) => `, ${column}`).join('')}
    FROM (SELECT write_key, message_id, min(received_at) AS first_received_at${picked.map((column) => `, ${column}`).join('')}
            FROM (SELECT write_key, message_id, received_at${columns.map((column) => `, ${column}`).join('')}
                    FROM ${tables.table('events')} WHERE ${eventsTerm(events)} AND (${where}))
           GROUP BY write_key, message_id)`;
}

/** Links anonymous id → user id, the latest link of each anonymous id. */
export function identityLinksSql(tables: ClickHouseTables): string {
  return `SELECT anonymous_id AS anonymous_key, argMax(user_id, linked_at) AS linked_user_id
            FROM ${tables.table('identities')} GROUP BY anonymous_id`;
}

/** The user an event counts for, from its own ids and `linked_user_id` (the link of its anonymous id, '' when none). */
export const USER_KEY_SQL = `if(isNotNull(user_id), assumeNotNull(user_id), if(linked_user_id != '', linked_user_id, ifNull(anonymous_id, ifNull(previous_id, ''))))`;

/** Adds `user_key` to rows with (nullable) `user_id`, `anonymous_id` and `previous_id`, resolving the anonymous id's identity link. */
export function withUserKeySql(tables: ClickHouseTables, rows: string): string {
  return `SELECT *, ${USER_KEY_SQL} AS user_key
    FROM (SELECT *, ifNull(anonymous_id, '') AS anonymous_key FROM (${rows}))
    ANY LEFT JOIN (${identityLinksSql(tables)}) USING anonymous_key`;
}

/** The classifier's verdict per prompt (latest), '' / 0 when it has none. */
function classifiedSql(tables: ClickHouseTables): string {
  return `SELECT write_key, message_id, argMax(intent, classified_at) AS classified_intent, argMax(sampled, classified_at) AS classified_sampled
            FROM ${tables.table('prompt_intents')} GROUP BY write_key, message_id`;
}

/** A prompt's intent: the classifier's, except that a dead-lettered prompt keeps an intent of its own. */
const PROMPT_INTENT_SQL = `if(classified_intent != '' AND NOT (classified_intent = '${CLASSIFICATION_ERROR}' AND isNotNull(intent)), classified_intent, intent)`;

/**
 * Rows with `prompt_intent` (the classifier's or own intent, for prompts) and `sampled`.
 * (18.16 rejects `if(column condition, toNullable(…), …)` — "cannot be inside
 * Nullable column" — so nullable results are built with a bare NULL branch.)
 */
function withPromptIntentSql(tables: ClickHouseTables, rows: string): string {
  return `SELECT *, ${PROMPT_INTENT_SQL} AS prompt_intent,
                 multiIf(classified_intent != '', classified_sampled, event = '${PROMPT}' AND isNotNull(intent), 1, NULL) AS sampled
    FROM (${rows}) ANY LEFT JOIN (${classifiedSql(tables)}) USING (write_key, message_id)`;
}

/**
 * The prompts of each conversation the rows belong to (all time: a turn's
 * prompt may precede the range), as (ts, has prompt_number, prompt_number,
 * intent or '', received_at) tuples.
 */
function turnPromptsSql(tables: ClickHouseTables, rowsWhere: string): string {
  const prompts = withPromptIntentSql(
    tables,
    dedupedSql(
      tables,
      [PROMPT],
      `isNotNull(conversation_id) AND conversation_id IN (SELECT conversation_id FROM ${tables.table('events')} WHERE event IN ('${RESPONSE}', '${ACTION}') AND (${rowsWhere}))`,
      ['event', 'conversation_id', 'prompt_number', 'ts', 'intent'],
    ),
  );
  return `SELECT assumeNotNull(conversation_id) AS conversation_key,
                 groupArray((ts, toUInt8(isNotNull(prompt_number)), ifNull(prompt_number, 0), ifNull(prompt_intent, ''), received_at)) AS turn_prompts
            FROM (${prompts}) GROUP BY conversation_key`;
}

/** The latest prompt (by time, then arrival) among `candidates`, its intent, NULL when none or none set. */
const latestIntentSql = (candidates: string): string => `nullIf(arrayReverseSort(p -> (p.1, p.5), ${candidates})[1].4, '')`;

/**
 * Lambdas take the row's own values as arrays (`replicate`) instead of
 * capturing columns: 18.16 prunes a column only a lambda captures from the
 * subquery below ("Unknown identifier").
 */
const TURN_INTENT_SQL = `if(isNull(prompt_number),
      ${latestIntentSql('arrayFilter((p, t) -> p.1 <= t, turn_prompts, replicate(ts, turn_prompts))')},
      ${latestIntentSql('arrayFilter((p, n) -> p.2 = 1 AND p.3 = n AND p.4 != \'\', turn_prompts, replicate(ifNull(prompt_number, 0), turn_prompts))')})`;

function withIntentsSql(tables: ClickHouseTables, rows: string, where: string, withPrompts: boolean): string {
  const withPrompt = withPrompts ? withPromptIntentSql(tables, rows) : `SELECT *, intent AS prompt_intent, CAST(NULL AS Nullable(UInt8)) AS sampled FROM (${rows})`;
  return `SELECT *, if(event = '${PROMPT}', prompt_intent, if(isNotNull(intent), intent, ${TURN_INTENT_SQL})) AS eff_intent
    FROM (SELECT *, ifNull(conversation_id, '') AS conversation_key FROM (${withPrompt}))
    ANY LEFT JOIN (${turnPromptsSql(tables, where)}) USING conversation_key`;
}

/** Responses of the conversations of the actions matching `rowsWhere`, as (ts, has prompt_number, prompt_number, model or '', has model, received_at). */
function turnResponsesSql(tables: ClickHouseTables, rowsWhere: string): string {
  const responses = dedupedSql(
    tables,
    [RESPONSE],
    `isNotNull(conversation_id) AND conversation_id IN (SELECT conversation_id FROM ${tables.table('events')} WHERE event = '${ACTION}' AND (${rowsWhere}))`,
    ['conversation_id', 'prompt_number', 'ts', 'model'],
  );
  return `SELECT assumeNotNull(conversation_id) AS turn_conversation_key,
                 groupArray((ts, toUInt8(isNotNull(prompt_number)), ifNull(prompt_number, 0), ifNull(model, ''), toUInt8(isNotNull(model)), received_at)) AS turn_responses
            FROM (${responses}) GROUP BY turn_conversation_key`;
}

/** Responses the actions matching `rowsWhere` name, by (write key, response id): the latest one's model, and that one exists. */
function ratedResponsesSql(tables: ClickHouseTables, rowsWhere: string): string {
  const responses = dedupedSql(
    tables,
    [RESPONSE],
    `isNotNull(response_id) AND response_id IN (SELECT response_id FROM ${tables.table('events')} WHERE event = '${ACTION}' AND isNotNull(response_id) AND (${rowsWhere}))`,
    ['response_id', 'ts', 'model'],
  );
  return `SELECT write_key, assumeNotNull(response_id) AS rated_response_key,
                 argMax(model, (ts, received_at)) AS rated_model, toUInt8(1) AS rated_found
            FROM (${responses}) GROUP BY write_key, rated_response_key`;
}

const latestModelSql = (candidates: string): string =>
  `if(length(${candidates}) = 0, NULL, arrayReverseSort(r -> (r.1, r.6), ${candidates})[1].4)`;

const TURN_MODEL_SQL = `if(isNull(prompt_number),
      ${latestModelSql('arrayFilter((r, t) -> r.5 = 1 AND r.1 <= t, turn_responses, replicate(ts, turn_responses))')},
      ${latestModelSql('arrayFilter((r, n) -> r.5 = 1 AND r.2 = 1 AND r.3 = n, turn_responses, replicate(ifNull(prompt_number, 0), turn_responses))')})`;

function withTurnModelsSql(tables: ClickHouseTables, rows: string, where: string): string {
  const withTurn = `SELECT *, ${TURN_MODEL_SQL} AS own_turn_model
    FROM (SELECT *, ifNull(conversation_id, '') AS turn_conversation_key FROM (${rows}))
    ANY LEFT JOIN (${turnResponsesSql(tables, where)}) USING turn_conversation_key`;
  return `SELECT *, if(isNotNull(model), model, if(rated_found = 1, rated_model, own_turn_model)) AS turn_model
    FROM (SELECT *, ifNull(response_id, '') AS rated_response_key FROM (${withTurn}))
    ANY LEFT JOIN (${ratedResponsesSql(tables, where)}) USING (write_key, rated_response_key)`;
}
