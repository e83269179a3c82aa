import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { CostGroup } from '../../../metrics/metrics-source.js';
import { trafficView } from '../traffic-flags.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { quarterRange, rangeIndex, RESPONSE_SQL } from './sql-constants.js';

/** A user's segment: the trait's current value; traits SQLite cannot read count as no value (→ `unknown`). */
const TRAIT_OF_USER = `json_extract(CASE WHEN json_valid(u.traits) THEN u.traits END, @traitPath)`;

/** A segment's row as SQLite returns it: the trait's raw JSON value (text, number, 0/1 for a boolean, or NULL). */
export type SegmentRow = Omit<CostGroup, 'key'> & { key: unknown };

/**
 * Cost, tokens and distinct conversations of responses per user segment (the
 * value of user trait `trait`). The default view with no filter reads
 * migration 011's per-user rollups; a model, intent or conversation filter,
 * or flagged traffic counted in, reads the responses themselves.
 */
export function costBySegment(db: Database.Database, scope: MetricScope, trait: string): CostGroup[] {
  const rows = rollupAnswers(scope) ? costBySegmentFromRollups(db, scope, trait) : costBySegmentFromEvents(db, scope, trait);
  // Trait values may be numbers or booleans in JSON; a segment is text.
  return rows.map((row) => ({ ...row, key: row.key === null || row.key === undefined ? null : String(row.key) }));
}

/**
 * The rollups know no model, intent or conversation, and their conversation
 * chains are per traffic flags: only unflagged traffic (the default) counts
 * each conversation once from them.
 */
function rollupAnswers(scope: MetricScope): boolean {
  const { model, intent, conversationId } = scope.filters;
  return trafficView(scope) === 'ordinary' && model === undefined && intent === undefined && conversationId === undefined;
}

/**
 * One row per user and active quarter of the range: the user's sums, and
 * their distinct conversations — the entries whose previous quarter (in that
 * user's conversation) is before the range: conversations new in the quarter,
 * and the few that continue one from before. Grouped per user first, so that
 * each user's trait is read once. A conversation several users share (see
 * migration 011) is one conversation of a segment, not one per user there:
 * the second part takes the difference for these few, from their quarters.
 */
export function costBySegmentFromRollups(db: Database.Database, scope: MetricScope, trait: string): SegmentRow[] {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  return db
    .prepare(
      `WITH per_user AS (
         SELECT user_key, TOTAL(cost) AS cost, TOTAL(prompt_tokens) AS prompt_tokens, TOTAL(completion_tokens) AS completion_tokens,
                TOTAL(total_tokens) AS total_tokens, SUM(conversations) AS conversations
           FROM (SELECT user_key, cost, prompt_tokens, completion_tokens, total_tokens, new_conversations AS conversations
                   FROM user_cost_rollup WHERE quarter >= @q0 AND quarter < @q1 AND debug = 0
                 UNION ALL
                 SELECT user_key, 0, 0, 0, 0, conversations
                   FROM user_conversation_entries WHERE quarter >= @q0 AND quarter < @q1 AND debug = 0 AND previous_quarter < @q0)
          GROUP BY user_key),
       shared_pairs AS (
         SELECT DISTINCT q.user_key, q.conversation_id
           FROM shared_conversations s
           JOIN user_conversation_quarters q INDEXED BY user_conversation_quarters_conversation ON q.conversation_id = s.conversation_id
          WHERE q.debug = 0 AND q.quarter >= @q0 AND q.quarter < @q1)
       SELECT key, TOTAL(cost) AS cost, TOTAL(prompt_tokens) AS promptTokens, TOTAL(completion_tokens) AS completionTokens,
              TOTAL(total_tokens) AS totalTokens, SUM(conversations) AS conversations
         FROM (SELECT ${TRAIT_OF_USER} AS key, p.cost, p.prompt_tokens, p.completion_tokens, p.total_tokens, p.conversations
                 FROM per_user p LEFT JOIN users u ON u.user_key = p.user_key
               UNION ALL
               SELECT ${TRAIT_OF_USER} AS key, 0, 0, 0, 0, COUNT(DISTINCT p.conversation_id) - COUNT(*)
                 FROM shared_pairs p LEFT JOIN users u ON u.user_key = p.user_key
                GROUP BY 1)
        GROUP BY key`,
    )
    .all({ q0, q1, traitPath: `$."${trait}"` }) as SegmentRow[];
}

/** The same answer from the responses themselves (any filter, any traffic counted). */
export function costBySegmentFromEvents(db: Database.Database, scope: MetricScope, trait: string): SegmentRow[] {
  const filters = eventFiltersSql('e', scope.filters, scope);
  // Sum per (user, conversation) first, so users' traits are looked up once per group, not once per response.
  return db
    .prepare(
      `WITH per_user AS (
         SELECT e.user_key, e.conversation_id, TOTAL(e.cost) AS cost, TOTAL(e.prompt_tokens) AS prompt_tokens,
                TOTAL(e.completion_tokens) AS completion_tokens, TOTAL(e.total_tokens) AS total_tokens
           FROM events e${rangeIndex('events_response_ts', scope.filters.conversationId)}
          WHERE e.event = ${RESPONSE_SQL} AND e.ts >= @start AND e.ts < @end${filters.sql}
          GROUP BY e.user_key, e.conversation_id)
       SELECT ${TRAIT_OF_USER} AS key, TOTAL(cost) AS cost, TOTAL(prompt_tokens) AS promptTokens,
              TOTAL(completion_tokens) AS completionTokens, TOTAL(total_tokens) AS totalTokens,
              COUNT(DISTINCT conversation_id) AS conversations
         FROM per_user p LEFT JOIN users u ON u.user_key = p.user_key
        GROUP BY key`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params, traitPath: `$."${trait}"` }) as SegmentRow[];
}
