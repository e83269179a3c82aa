import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { CostGroup } from '../../../metrics/metrics-source.js';
import { createTotal, type Total } from '../total.js';
import { trafficView } from '../traffic-flags.js';
import { UserCostSums } from '../user-cost-sums.js';
import { readUserCostsByWeek } from '../user-cost-week-lists.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { quarterRange, rangeIndex, RESPONSE_CODE } from './sql-constants.js';
import { type SegmentValue, TRAIT_OF_USER, traitPath, type UserSegments } from './user-segments.js';

/** A segment's row as SQLite returns it: the trait's raw JSON value (text, number, 0/1 for a boolean, or NULL). */
export type SegmentRow = Omit<CostGroup, 'key'> & { key: unknown };

/**
 * Cost, tokens and distinct conversations of responses per user segment (the
 * value of user trait `trait`). The default view with no filter reads
 * the per-user cost lists of migrations 020 (per week) and 018 (per
 * quarter-hour; migration 011's per-user rollups for their stale quarters),
 * with each user's segment from `segments`; a model,
 * intent or conversation filter, or flagged traffic counted in, reads the
 * responses themselves.
 */
export function costBySegment(db: Database.Database, scope: MetricScope, trait: string, segments: UserSegments): CostGroup[] {
  const rows = rollupAnswers(scope) ? costBySegmentFromLists(db, scope, trait, segments) : costBySegmentFromEvents(db, scope, trait);
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

/** The sums of a segment, or of one user on the way to theirs. */
class SegmentSums {
  readonly cost: Total = createTotal();
  promptTokens = 0;
  completionTokens = 0;
  totalTokens = 0;
  conversations = 0;

  add(cost: number, promptTokens: number, completionTokens: number, totalTokens: number, conversations: number): void {
    this.cost.add(cost);
    this.promptTokens += promptTokens;
    this.completionTokens += completionTokens;
    this.totalTokens += totalTokens;
    this.conversations += conversations;
  }

  row(key: SegmentValue): SegmentRow {
    const { promptTokens, completionTokens, totalTokens, conversations } = this;
    return { key, cost: this.cost.value(), promptTokens, completionTokens, totalTokens, conversations };
  }
}

/**
 * Each user's sums (numbered users from `users`, the few of stale quarters not
 * numbered yet from `unnumbered`) added to their segment's: ordinals in order,
 * then the unnumbered users.
 */
function sumsBySegment(
  users: UserCostSums,
  unnumbered: ReadonlyMap<string, SegmentSums>,
  segmentOfOrdinal: readonly SegmentValue[],
  segmentOfKey: (userKey: string) => SegmentValue,
): Map<SegmentValue, SegmentSums> {
  const segments = new Map<SegmentValue, SegmentSums>();
  const sumsOf = (segment: SegmentValue): SegmentSums => {
    let sums = segments.get(segment);
    if (sums === undefined) segments.set(segment, (sums = new SegmentSums()));
    return sums;
  };
  users.forEachUser((ordinal, ...sums) => sumsOf(segmentOfOrdinal[ordinal] ?? null).add(...sums));
  for (const [userKey, user] of unnumbered) {
    sumsOf(segmentOfKey(userKey)).add(user.cost.value(), user.promptTokens, user.completionTokens, user.totalTokens, user.conversations);
  }
  return segments;
}

/**
 * The answer of costBySegmentFromRollups, from the per-user cost lists: each
 * user's entries of the range — week lists for the fresh whole weeks
 * (migration 020), quarter lists or, for stale quarters, rollup rows for the
 * rest (018) — summed per user in JavaScript (UserCostSums), then per
 * segment; the conversations that continue from before the range and the
 * correction for shared conversations come from the same SQL as there. Costs
 * are summed per user (over quarters, or over week sums of quarters), then
 * per segment, with TOTAL()'s compensation: the same sums up to the last
 * bits, which the endpoint's rounding of money leaves alone. One read
 * transaction.
 */
export function costBySegmentFromLists(db: Database.Database, scope: MetricScope, trait: string, segments: UserSegments): SegmentRow[] {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  return db.transaction((): SegmentRow[] => {
    const { lists, stale, maxOrdinal } = readUserCostsByWeek(db, q0, q1);
    const users = new UserCostSums(maxOrdinal);
    const unnumbered = new Map<string, SegmentSums>();
    const unnumberedUser = (userKey: string): SegmentSums => {
      let sums = unnumbered.get(userKey);
      if (sums === undefined) unnumbered.set(userKey, (sums = new SegmentSums()));
      return sums;
    };
    for (const list of lists) users.addEntries(list);
    for (const [ordinal, userKey, ...sums] of stale) {
      if (ordinal === null) unnumberedUser(userKey).add(...sums);
      else users.add(ordinal, ...sums);
    }
    const continuing = db
      .prepare(
        `SELECT o.ordinal, e.user_key, SUM(e.conversations)
           FROM user_conversation_entries e LEFT JOIN user_ordinals o ON o.user_key = e.user_key
          WHERE e.quarter >= @q0 AND e.quarter < @q1 AND e.debug = 0 AND e.previous_quarter < @q0
          GROUP BY e.user_key`,
      )
      .raw()
      .all({ q0, q1 }) as [ordinal: number | null, userKey: string, conversations: number][];
    for (const [ordinal, userKey, conversations] of continuing) {
      if (ordinal === null) unnumberedUser(userKey).add(0, 0, 0, 0, conversations);
      else users.add(ordinal, 0, 0, 0, 0, conversations);
    }
    const bySegment = sumsBySegment(users, unnumbered, segments.byOrdinal(db, trait, maxOrdinal), (userKey) => segments.ofUserKey(db, trait, userKey));
    const shared = db
      .prepare(
        `${SHARED_PAIRS_SQL}
         SELECT ${TRAIT_OF_USER} AS key, COUNT(DISTINCT p.conversation_id) - COUNT(*)
           FROM shared_pairs p LEFT JOIN users u ON u.user_key = p.user_key
          GROUP BY 1`,
      )
      .raw()
      .all({ q0, q1, traitPath: traitPath(trait) }) as [SegmentValue, number][];
    for (const [segment, correction] of shared) {
      const sums = bySegment.get(segment) ?? new SegmentSums();
      sums.conversations += correction;
      bySegment.set(segment, sums);
    }
    return [...bySegment].map(([segment, sums]) => sums.row(segment));
  })();
}

/**
 * The conversations of the range that more than one user has responses in,
 * per user: a segment counts each once (see migration 011). CROSS JOIN keeps
 * the few shared conversations as the outer loop: with no statistics
 * (ANALYZE) SQLite chose to walk all of user_conversation_quarters' index and
 * look each row up in shared_conversations, 200–300 ms at 10M bench events
 * (1.5M rows, no shared conversation), most of cost by segment's time; from
 * the shared conversations it takes well under a millisecond (2026-12-02),
 * by the quarters' key, which starts with the conversation (migration 045).
 */
export const SHARED_PAIRS_SQL = `
  WITH shared_pairs AS (
    SELECT DISTINCT q.user_key, q.conversation_id
      FROM shared_conversations s
      CROSS JOIN user_conversation_quarters q ON q.conversation_id = s.conversation_id
     WHERE q.debug = 0 AND q.quarter >= @q0 AND q.quarter < @q1)`;

/**
 * One row per user and active quarter of the range: the user's sums, and
 * their distinct conversations — the entries whose previous quarter (in that
 * user's conversation) is before the range: conversations new in the quarter,
 * and the few that continue one from before. Grouped per user first, so that
 * each user's trait is read once. A conversation several users share (see
 * migration 011) is one conversation of a segment, not one per user there:
 * the second part takes the difference for these few, from their quarters.
 *
 * The endpoint reads the lists (costBySegmentFromLists) since migration 018;
 * this SQL stays as the definition they are tested against, in one statement
 * (segment-cost-queries.test.ts, the migration 018 test).
 */
export function costBySegmentFromRollups(db: Database.Database, scope: MetricScope, trait: string): SegmentRow[] {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  return db
    .prepare(
      `${SHARED_PAIRS_SQL},
       per_user AS (
         SELECT user_key, TOTAL(cost) AS cost, TOTAL(prompt_tokens) AS prompt_tokens, TOTAL(completion_tokens) AS completion_tokens,
                TOTAL(total_tokens) AS total_tokens, SUM(conversations) AS conversations
           FROM (SELECT user_key, cost, prompt_tokens, completion_tokens, total_tokens, new_conversations AS conversations
                   FROM user_cost_rollup WHERE quarter >= @q0 AND quarter < @q1 AND debug = 0
                 UNION ALL
                 SELECT user_key, 0, 0, 0, 0, conversations
                   FROM user_conversation_entries WHERE quarter >= @q0 AND quarter < @q1 AND debug = 0 AND previous_quarter < @q0)
          GROUP BY user_key)
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
    .all({ q0, q1, traitPath: traitPath(trait) }) as SegmentRow[];
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
           FROM events e${rangeIndex('events_ts', scope.filters.conversationId)}
          WHERE e.event_code = ${RESPONSE_CODE} AND e.ts >= @start AND e.ts < @end${filters.sql}
          GROUP BY e.user_key, e.conversation_id)
       SELECT ${TRAIT_OF_USER} AS key, TOTAL(cost) AS cost, TOTAL(prompt_tokens) AS promptTokens,
              TOTAL(completion_tokens) AS completionTokens, TOTAL(total_tokens) AS totalTokens,
              COUNT(DISTINCT conversation_id) AS conversations
         FROM per_user p LEFT JOIN users u ON u.user_key = p.user_key
        GROUP BY key`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params, traitPath: traitPath(trait) }) as SegmentRow[];
}
