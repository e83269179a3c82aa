import type { MetricScope, TrafficInclusion } from '../../../metrics/metric-scope.js';
import type { SessionDetail, SessionTotals } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { trafficFilterSql } from '../traffic.js';
import { eventRowsSql, PROMPT, RESPONSE } from './event-rows-sql.js';
import { SESSION_THREADS } from '../rollups.js';
import { threadsSql } from './rollup-rows-sql.js';

/**
 * Sessions whose first message (prompt or response, of the traffic the
 * scope keeps) falls in the range: every message of those sessions, however
 * late, counts. The user of a session is the greatest of its users' keys
 * (a session has one user unless identities merged mid-way).
 */
export async function sessionTotals(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<SessionTotals> {
  // The median is PERCENTILE_CONT(0.5) (percentile.ts) over the sorted durations, in SQL, so that only one row comes back.
  const rows = await connection.rows<SessionTotals>(
    `SELECT sessions, users, messages, singleMessageSessions, prompts, singlePromptSessions, totalDurationMs,
            if(sessions = 0, 0, durations[low + 1] + (durations[if(low + 2 > sessions, low + 1, low + 2)] - durations[low + 1]) * (rank - low)) AS medianDurationMs
       FROM (SELECT count() AS sessions, uniqExact(user_key) AS users, sum(thread_messages) AS messages, countIf(thread_messages = 1) AS singleMessageSessions,
                    sum(thread_prompts) AS prompts, countIf(thread_prompts = 1) AS singlePromptSessions, sum(last_ts - first_ts) AS totalDurationMs,
                    arraySort(groupArray(last_ts - first_ts)) AS durations, 0.5 * (sessions - 1) AS rank, toUInt64(floor(rank)) AS low
               FROM (${threadsSql(tables, SESSION_THREADS, scope)})
              WHERE first_ts >= ${sqlValue(scope.startMs)} AND first_ts < ${sqlValue(scope.endMs)})`,
  );
  const [totals] = rows;
  if (totals === undefined) throw new Error('ClickHouse answered an aggregate without a row');
  return totals;
}

/** One session, all time; null when it has no prompt or response of the traffic asked for. */
export async function sessionById(connection: ClickHouseConnection, tables: ClickHouseTables, sessionId: string, traffic: TrafficInclusion): Promise<SessionDetail | null> {
  const messages = eventRowsSql(tables, {
    events: [PROMPT, RESPONSE],
    where: `session_id = ${sqlValue(sessionId)} AND ${trafficFilterSql(traffic)}`,
    columns: ['event', 'ts'],
  });
  const rows = await connection.rows<SessionDetail & { messages: number }>(
    `SELECT count() AS messages, countIf(event = '${PROMPT}') AS userMessages, countIf(event = '${RESPONSE}') AS botMessages,
            min(ts) AS firstMs, max(ts) AS lastMs
       FROM (${messages})`,
  );
  const row = rows[0];
  if (row === undefined || row.messages === 0) return null;
  return { userMessages: row.userMessages, botMessages: row.botMessages, firstMs: row.firstMs, lastMs: row.lastMs };
}
