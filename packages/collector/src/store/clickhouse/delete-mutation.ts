import type { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseTables, TableName } from './clickhouse-tables.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { sqlValue } from './sql-value.js';

/** How often `system.mutations` is asked whether a delete has finished. */
const POLL_INTERVAL_MS = 50;
/** A mutation rewrites the parts it touches; two minutes cover tens of millions of rows on a small server. */
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Deletes the rows of `table` matching `where` with `ALTER TABLE … DELETE`
 * (a mutation, ClickHouse 1.1.54388 / 18.x on) and resolves once the server
 * has applied it, so that reads that follow no longer see the rows.
 * Mutations run in the background on every version, and 18.16 has no
 * `mutations_sync`: the wait is a poll of `system.mutations` until none of
 * the table's is left to do.
 *
 * With a cluster the mutation runs on the storing table of the server this
 * collector is connected to (a Distributed table takes no mutation, and
 * `ON CLUSTER` needs ZooKeeper): other shards keep their share.
 */
export async function deleteRows(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  table: TableName,
  where: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  await connection.command(`ALTER TABLE ${tables.localTable(table)} DELETE WHERE ${where}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await connection.rows<{ pending: number }>(
      `SELECT count() AS pending FROM system.mutations
        WHERE database = ${sqlValue(tables.database)} AND table = ${sqlValue(tables.localName(table))} AND is_done = 0`,
    );
    if ((rows[0]?.pending ?? 0) === 0) return;
    if (Date.now() > deadline) {
      throw new StoreUnavailableError(
        `ClickHouse has not finished deleting from ${tables.localName(table)} after ${Math.round(timeoutMs / 1000)} s (see system.mutations); the deletion goes on in the background, retry to count it`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
