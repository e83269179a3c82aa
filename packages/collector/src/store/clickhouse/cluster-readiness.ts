import type { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseTables } from './clickhouse-tables.js';
import { TABLE_NAMES } from './clickhouse-tables.js';

/** How long a collector waits at start for the other servers of its cluster to be migrated (by their own collectors). */
export const CLUSTER_SCHEMA_WAIT_MS = 60_000;
const RETRY_MS = 500;

/**
 * With a cluster, every server is migrated by the collectors pointed at it,
 * so collectors starting together see the other servers' local tables
 * appear one by one. Resolves once every Distributed table reads on every
 * shard; rejects with the server's reason after `waitMs` (a server nobody
 * migrated, a shard that is down).
 */
export async function waitForClusterSchema(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  waitMs = CLUSTER_SCHEMA_WAIT_MS,
): Promise<void> {
  if (tables.cluster === undefined) return;
  const probe = TABLE_NAMES.map((name) => `SELECT count() AS rows FROM (SELECT 1 FROM ${tables.table(name)} LIMIT 1)`).join(' UNION ALL ');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await connection.rows(probe);
      return;
    } catch (error) {
      if (Date.now() + RETRY_MS > deadline) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        throw new Error(
          `a server of cluster ${tables.cluster} lacks the schema of database ${tables.database} after ${Math.round(waitMs / 1000)} s ` +
            `(run "chatmeter-collector migrate" against each server of the cluster, or start its collectors): ${reason}`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
