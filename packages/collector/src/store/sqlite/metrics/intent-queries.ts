import type Database from 'better-sqlite3';
import { formatLocalDay, DAY_MS } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ClassificationTotals, IntentFlow, KeyedCount } from '../../../metrics/metrics-source.js';
import { trafficView } from '../traffic-flags.js';
import { eventFiltersSql } from './event-filters-sql.js';
import { splitFlowRange, TRANSITIONS_IN_RANGE_SQL, type FlowRange } from './flow-range.js';
import { keyColumnSql, rollupFiltersSql } from './rollup-filters-sql.js';
import { PROMPT_CODE, quarterRange } from './sql-constants.js';

/**
 * Prompts per intent. Without a conversation filter `prompt_rollup` answers
 * (migration 004: prompts per UTC quarter-hour, debug flag and intent); with
 * one, the conversation's prompts are read through `events_turn_intent`.
 */
export function intentCounts(db: Database.Database, scope: MetricScope): KeyedCount[] {
  if (scope.filters.conversationId === undefined) {
    const filters = rollupFiltersSql(scope);
    return db
      .prepare(`SELECT ${keyColumnSql('intent')} AS key, SUM(prompts) AS count FROM prompt_rollup WHERE ${filters.sql} GROUP BY intent`)
      .all(filters.params) as KeyedCount[];
  }
  const filters = eventFiltersSql('e', scope.filters, scope);
  return db
    .prepare(
      `SELECT e.intent AS key, COUNT(*) AS count
         FROM events e
        WHERE e.event_code = ${PROMPT_CODE} AND e.ts >= @start AND e.ts < @end${filters.sql}
        GROUP BY e.intent`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params }) as KeyedCount[];
}

/**
 * `intent_sampled` is 1 for prompts classified (or sent classified), 0 for
 * prompts the sampling policy skipped, NULL while still queued or when the
 * prompt came without text. Classifier
 * usage is kept per UTC day, so it covers the UTC days the range touches.
 */
export function classification(db: Database.Database, scope: MetricScope): ClassificationTotals {
  const filters = rollupFiltersSql(scope);
  const prompts = db
    .prepare(
      `SELECT COALESCE(SUM(prompts), 0) AS prompts, COALESCE(SUM(sampled), 0) AS sampled, COALESCE(SUM(not_sampled), 0) AS notSampled
         FROM prompt_rollup WHERE ${filters.sql}`,
    )
    .get(filters.params) as Pick<ClassificationTotals, 'prompts' | 'sampled' | 'notSampled'>;
  // The queue holds only prompts that came with text, and only until classified.
  // CROSS JOIN reads the queue first: it is short while the worker keeps up, whereas the
  // planner's choice, every event of the range through events_ts, took seconds on 1M events.
  const queued = eventFiltersSql('e', {}, scope);
  const { pending } = db
    .prepare(
      `SELECT COUNT(*) AS pending FROM intent_queue q CROSS JOIN events e ON e.id = q.event_id
        WHERE e.ts >= @start AND e.ts < @end${queued.sql}`,
    )
    .get({ start: scope.startMs, end: scope.endMs, ...queued.params }) as Pick<ClassificationTotals, 'pending'>;
  const usage = db
    .prepare(
      `SELECT TOTAL(cost) AS classifierCost, TOTAL(prompt_tokens + completion_tokens) AS classifierTokens
         FROM classification_usage WHERE day >= @fromDate AND day <= @toDate`,
    )
    .get({
      fromDate: formatLocalDay(Math.floor(scope.startMs / DAY_MS)),
      toDate: formatLocalDay(Math.floor((scope.endMs - 1) / DAY_MS)),
    }) as Pick<ClassificationTotals, 'classifierCost' | 'classifierTokens'>;
  return { ...prompts, pending, ...usage };
}

/** Classifier spend of one UTC day, all classifiers (the built-in one records 0). */
export function classifierSpendOn(db: Database.Database, day: string): number {
  return (db.prepare('SELECT TOTAL(cost) AS cost FROM classification_usage WHERE day = ?').get(day) as { cost: number }).cost;
}

/**
 * Pairs of consecutive prompts (by time) in the same conversation, both inside
 * the range. Without a conversation filter the flow rollups answer (migration
 * 004: transitions along the chain of all prompts or of the unflagged ones;
 * migration 012: the same per UTC day, see flow-range.ts); with a conversation
 * filter, or when some flags are counted and some not (no chain follows
 * those), the prompts are read from the events.
 */
export function intentFlows(db: Database.Database, scope: MetricScope): IntentFlow[] {
  const chain = rollupChain(scope);
  if (chain !== undefined) {
    return db
      .prepare(
        `SELECT ${keyColumnSql('from_intent')} AS "from", ${keyColumnSql('to_intent')} AS "to", SUM(transitions) AS count
           FROM (${TRANSITIONS_IN_RANGE_SQL})
          GROUP BY from_intent, to_intent`,
      )
      .all(chain) as IntentFlow[];
  }
  const filters = eventFiltersSql('e', scope.filters, scope);
  return db
    .prepare(
      `WITH ordered AS (
         SELECT e.intent, LAG(e.intent) OVER turn AS previous, ROW_NUMBER() OVER turn AS position
           FROM events e
          WHERE e.event_code = ${PROMPT_CODE} AND e.ts >= @start AND e.ts < @end AND e.conversation_id IS NOT NULL${filters.sql}
         WINDOW turn AS (PARTITION BY e.conversation_id ORDER BY e.ts, e.id))
       SELECT previous AS "from", intent AS "to", COUNT(*) AS count
         FROM ordered WHERE position > 1
        GROUP BY previous, intent`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params }) as IntentFlow[];
}

/**
 * The last prompt (by time) of each conversation among its prompts in the
 * range, counted per intent: where the intent flow ends. A conversation's
 * prompts in the range are consecutive in its chain, and each but the last is
 * the earlier prompt of a transition inside the range, so the ends on an
 * intent are its prompts with a conversation in the range (migration 012's
 * `conversation_prompt_rollup`) minus the transitions from it inside the range
 * (as intentFlows). With a conversation filter or mixed flags, as intentFlows,
 * one pass over the range's prompts with a window per conversation.
 */
export function intentFlowEnds(db: Database.Database, scope: MetricScope): KeyedCount[] {
  const chain = rollupChain(scope);
  if (chain !== undefined) {
    const counted = chain.withDebug === 1 ? '' : ' AND debug = 0';
    return db
      .prepare(
        `SELECT ${keyColumnSql('intent')} AS key, SUM(count) AS count
           FROM (SELECT intent, prompts AS count FROM conversation_prompt_rollup WHERE quarter >= @q0 AND quarter < @q1${counted}
                 UNION ALL
                 SELECT from_intent, -transitions FROM (${TRANSITIONS_IN_RANGE_SQL}))
          GROUP BY intent
         HAVING SUM(count) > 0`,
      )
      .all(chain) as KeyedCount[];
  }
  const filters = eventFiltersSql('e', scope.filters, scope);
  return db
    .prepare(
      `WITH ordered AS (
         SELECT e.intent, ROW_NUMBER() OVER (PARTITION BY e.conversation_id ORDER BY e.ts DESC, e.id DESC) AS from_end
           FROM events e
          WHERE e.event_code = ${PROMPT_CODE} AND e.ts >= @start AND e.ts < @end AND e.conversation_id IS NOT NULL${filters.sql})
       SELECT intent AS key, COUNT(*) AS count
         FROM ordered WHERE from_end = 1
        GROUP BY intent`,
    )
    .all({ start: scope.startMs, end: scope.endMs, ...filters.params }) as KeyedCount[];
}

/**
 * The rollup chain that answers a flow query, with the range split for
 * TRANSITIONS_IN_RANGE_SQL; undefined when the events must answer: a
 * conversation filter, or some flags counted and some not.
 */
function rollupChain(scope: MetricScope): (FlowRange & { withDebug: 0 | 1 }) | undefined {
  const view = trafficView(scope);
  if (scope.filters.conversationId !== undefined || view === 'mixed') return undefined;
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  return { ...splitFlowRange(q0, q1), withDebug: view === 'all' ? 1 : 0 };
}
