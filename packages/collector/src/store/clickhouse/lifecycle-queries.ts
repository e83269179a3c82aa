import type { ErasureOutcome } from '../data-lifecycle.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseTables } from './clickhouse-tables.js';
import { deleteRows } from './delete-mutation.js';
import type { LocalPromptQueue } from './local-prompt-queue.js';
import { QUARTER_MS, ROLLUP_SOURCES, rollupRowsOfKeysSql } from './rollups.js';
import { sqlList, sqlValue } from './sql-value.js';

/**
 * Erases one user from this server: the events stored under their user id
 * or any anonymous id currently linked to it (the keys their events count
 * for, as SQLite's erasure follows `identities`), those links, the traits
 * set for them, their sticky traffic flags, and prompt texts of theirs this
 * collector still queues. Counts are of distinct messages (copies of a
 * retried message count once) and of the links that made an anonymous id
 * theirs; `users` is the number of those keys (user id and anonymous ids)
 * that had a stored event or trait, the nearest to SQLite's user rows.
 */
export async function eraseUser(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  queue: LocalPromptQueue,
  userId: string,
): Promise<ErasureOutcome> {
  const linked = await connection.rows<{ anonymous_id: string }>(
    `SELECT anonymous_id FROM ${tables.table('identities')} GROUP BY anonymous_id HAVING argMax(user_id, linked_at) = ${sqlValue(userId)}`,
  );
  const anonymousIds = linked.map((row) => row.anonymous_id).filter((id) => id !== userId);
  const keys = sqlList([userId, ...anonymousIds]);
  // Events without a user id count for their anonymous id (or its link); an
  // event naming another user but carrying one of these anonymous ids was
  // sent from their device and goes too, as in SQLite.
  const eventsWhere = `(user_id IN ${keys} OR anonymous_id IN ${keys} OR (isNull(user_id) AND isNull(anonymous_id) AND previous_id IN ${keys}))`;
  const traitsWhere = `(user_id IN ${keys} OR (isNull(user_id) AND anonymous_id IN ${keys}))`;
  const [events, users] = await Promise.all([
    countDistinctMessages(connection, tables, eventsWhere),
    connection.rows<{ users: number }>(
      `SELECT uniqExact(key) AS users FROM (
         SELECT ifNull(user_id, ifNull(anonymous_id, '')) AS key FROM ${tables.localTable('events')} WHERE ${eventsWhere}
         UNION ALL
         SELECT ifNull(user_id, ifNull(anonymous_id, '')) AS key FROM ${tables.localTable('user_traits')} WHERE ${traitsWhere})
        WHERE key IN ${keys}`,
    ),
  ]);
  // Rollups first, while the links still name every key: a retry after an erasure cut short finds them again.
  for (const source of ROLLUP_SOURCES) await deleteRows(connection, tables, source.table, rollupRowsOfKeysSql(keys));
  // Then the links: were the erasure cut short, the events left would count for anonymous ids, not for the user.
  await deleteRows(connection, tables, 'identities', `anonymous_id IN ${keys} OR user_id = ${sqlValue(userId)}`);
  await deleteRows(connection, tables, 'user_traits', traitsWhere);
  await deleteRows(connection, tables, 'user_traffic', `user_key IN ${keys}`);
  await deleteRows(connection, tables, 'events', eventsWhere);
  queue.eraseUsers([userId, ...anonymousIds]);
  queue.purge();
  return { events, identities: anonymousIds.length, users: users[0]?.users ?? 0 };
}

/**
 * Deletes at most `limit` of this server's events older than `cutoffMs`,
 * oldest first (by time, then write key and message id), and resolves with
 * how many messages went. Each call is one mutation, which rewrites the
 * parts holding those events: larger batches cost ClickHouse less.
 */
export async function deleteEventsBefore(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  cutoffMs: number,
  limit: number,
): Promise<number> {
  if (limit <= 0) return 0;
  const before = `ts < ${sqlValue(cutoffMs)}`;
  const due = await countDistinctMessages(connection, tables, before);
  if (due === 0) return 0;
  if (due <= limit) {
    await deleteRows(connection, tables, 'events', before);
    await rebuildRollupsThrough(connection, tables, cutoffMs - 1);
    return due;
  }
  // The limit-th oldest message bounds the batch; copies of a message share its time, so none is split.
  const [last] = await connection.rows<{ ts: number; write_key: string; message_id: string }>(
    `SELECT ts, write_key, message_id FROM (SELECT DISTINCT ts, write_key, message_id FROM ${tables.localTable('events')} WHERE ${before})
      ORDER BY ts, write_key, message_id LIMIT 1 OFFSET ${limit - 1}`,
  );
  if (last === undefined) return 0;
  const ts = sqlValue(last.ts);
  const key = sqlValue(last.write_key);
  await deleteRows(
    connection,
    tables,
    'events',
    `${before} AND (ts < ${ts} OR (ts = ${ts} AND (write_key < ${key} OR (write_key = ${key} AND message_id <= ${sqlValue(last.message_id)}))))`,
  );
  await rebuildRollupsThrough(connection, tables, last.ts);
  return limit;
}

/**
 * After deleting every event before `lastDeletedTs` (and some at it): the
 * rollup rows of the quarter hours up to the one holding `lastDeletedTs`
 * go, and that last quarter, which may still hold events, is computed again
 * from the events left in it. Rows a concurrent insert's view writes into
 * that quarter meanwhile are harmless: rollup columns are idempotent.
 */
async function rebuildRollupsThrough(connection: ClickHouseConnection, tables: ClickHouseTables, lastDeletedTs: number): Promise<void> {
  const quarter = Math.floor(lastDeletedTs / QUARTER_MS) * QUARTER_MS;
  for (const source of ROLLUP_SOURCES) {
    await deleteRows(connection, tables, source.table, `quarter <= ${sqlValue(quarter)}`);
    const leftInQuarter = `ts >= ${sqlValue(quarter)} AND ts < ${sqlValue(quarter + QUARTER_MS)}`;
    await connection.command(`INSERT INTO ${tables.localTable(source.table)} ${source.select(tables.localTable('events'), leftInQuarter)}`);
  }
}

/** Distinct (write key, message id) pairs among this server's events matching `where`. */
async function countDistinctMessages(connection: ClickHouseConnection, tables: ClickHouseTables, where: string): Promise<number> {
  const rows = await connection.rows<{ messages: number }>(
    `SELECT count() AS messages FROM (SELECT DISTINCT write_key, message_id FROM ${tables.localTable('events')} WHERE ${where})`,
  );
  return rows[0]?.messages ?? 0;
}
