import type { TrafficInclusion } from '../../../metrics/metric-scope.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import type { ThreadRollup } from '../rollups.js';
import { sqlValue } from '../sql-value.js';
import { trafficFilterSql } from '../traffic.js';
import { PROMPT, withUserKeySql } from './event-rows-sql.js';

/** A rollup's raw id columns as the nullable ids `withUserKeySql` resolves. */
const NULLABLE_IDS = `nullIf(user, '') AS user_id, nullIf(anonymous, '') AS anonymous_id, nullIf(previous, '') AS previous_id`;

/** Rollup rows with a quarter in [startMs, endMs) (both on quarter hours: local midnights are) and traffic the scope keeps. */
export function quarterRangeSql(range: { startMs: number; endMs: number } & TrafficInclusion): string {
  return `quarter >= ${sqlValue(range.startMs)} AND quarter < ${sqlValue(range.endMs)} AND ${trafficFilterSql(range)}`;
}

/**
 * `(user_key, ts)` per user and quarter hour with a prompt, `ts` being the
 * quarter's start (its local day is that of every prompt in it), from the
 * prompt-activity rollup: presence only, so copies of a prompt never matter.
 */
export function promptQuartersSql(tables: ClickHouseTables, where: string): string {
  const rows = `SELECT DISTINCT quarter AS ts, ${NULLABLE_IDS} FROM ${tables.table('prompt_activity')} WHERE ${where}`;
  return `SELECT user_key, ts FROM (${withUserKeySql(tables, rows)})`;
}

/**
 * Per thread (session or conversation) with a message in the range: its
 * user (the greatest user key among its messages), first and last message
 * time, its distinct messages and prompts, from the thread's rollup (every
 * row of those threads, however late, of the traffic the scope keeps).
 */
export function threadsSql(tables: ClickHouseTables, thread: ThreadRollup, range: { startMs: number; endMs: number } & TrafficInclusion): string {
  const table = tables.table(thread.table);
  // A message is in exactly one (thread, kind, ids) group, so the groups' distinct counts add up.
  const groups = `SELECT thread_id, event, ${NULLABLE_IDS},
        minMerge(first_ts) AS group_first_ts, maxMerge(last_ts) AS group_last_ts, uniqExactMerge(messages) AS group_messages
      FROM ${table}
     WHERE ${trafficFilterSql(range)} AND thread_id IN (SELECT thread_id FROM ${table} WHERE ${quarterRangeSql(range)})
     GROUP BY thread_id, event, user, anonymous, previous`;
  return `SELECT thread_id, max(user_key) AS user_key, min(group_first_ts) AS first_ts, max(group_last_ts) AS last_ts,
                 sum(group_messages) AS thread_messages, sumIf(group_messages, event = '${PROMPT}') AS thread_prompts
            FROM (${withUserKeySql(tables, groups)}) GROUP BY thread_id`;
}
