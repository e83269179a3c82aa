import type { MetricScope, TrafficInclusion } from '../../../metrics/metric-scope.js';
import type { SessionDetail, SessionTotals } from '../../../metrics/metrics-source.js';
import { percentileCont } from '../../../metrics/percentile.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { trafficFilterSql } from '../traffic.js';
import { eventRowsSql, PROMPT, RESPONSE } from './event-rows-sql.js';
import { rangeSql } from './scope-sql.js';

/**
 * Sessions whose first message (prompt or response, of the traffic the
 * scope keeps) falls in the range: every message of those sessions, however
 * late, counts. The user of a session is the greatest of its users' keys
 * (a session has one user unless identities merged mid-way).
 */
export async function sessionTotals(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<SessionTotals> {
  const messages = eventRowsSql(tables, {
    events: [PROMPT, RESPONSE],
    where: `isNotNull(session_id) AND ${trafficFilterSql(scope)} AND session_id IN (
      SELECT session_id FROM ${tables.table('events')} WHERE event IN ('${PROMPT}', '${RESPONSE}') AND ${rangeSql(scope)})`,
    columns: ['session_id', 'event', 'ts'],
    userKey: true,
  });
  const sessions = await connection.rows<{ user_key: string; first_ts: number; last_ts: number; messages: number; prompts: number }>(
    `SELECT session_id, max(user_key) AS user_key, min(ts) AS first_ts, max(ts) AS last_ts, count() AS messages, countIf(event = '${PROMPT}') AS prompts
       FROM (${messages}) GROUP BY session_id
     HAVING first_ts >= ${sqlValue(scope.startMs)} AND first_ts < ${sqlValue(scope.endMs)}`,
  );
  const durations = Float64Array.from(sessions, (session) => session.last_ts - session.first_ts);
  return {
    sessions: sessions.length,
    users: new Set(sessions.map((session) => session.user_key)).size,
    messages: sum(sessions.map((session) => session.messages)),
    singleMessageSessions: sessions.filter((session) => session.messages === 1).length,
    prompts: sum(sessions.map((session) => session.prompts)),
    singlePromptSessions: sessions.filter((session) => session.prompts === 1).length,
    totalDurationMs: sum([...durations]),
    medianDurationMs: durations.length === 0 ? 0 : percentileCont(durations, 0.5),
  };
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

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
