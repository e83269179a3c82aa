import { StoreOpenError } from '../store-open-error.js';
import { openClickHouseConnection } from './clickhouse-connection.js';
import { ClickHouseStore } from './clickhouse-store.js';
import { clickHouseTables } from './clickhouse-tables.js';
import { waitForClusterSchema } from './cluster-readiness.js';
import { LocalPromptQueue } from './local-prompt-queue.js';
import { applyClickHouseMigrations, ClickHouseSchemaVersionError } from './migrate-clickhouse.js';

export { ClickHouseStore } from './clickhouse-store.js';
export { ClickHouseSchemaVersionError } from './migrate-clickhouse.js';
export { ClickHouseQueryError } from './clickhouse-query-error.js';

/** Where a collector's ClickHouse store lives (the `--clickhouse-*` and `--queue` options). */
export interface ClickHouseStoreOptions {
  /** HTTP interface, e.g. `http://127.0.0.1:8123`. */
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** A cluster of the servers' `remote_servers`: local tables on each server plus Distributed tables over them. */
  cluster?: string;
  /** The local durable classification queue file; in memory when absent. */
  queuePath?: string;
  /** With a cluster: how long opening waits for the other servers to be migrated (60 s by default). */
  clusterSchemaWaitMs?: number;
}

/**
 * Opens the store (migrating the schema first unless `migrate: false`; with
 * a cluster, waiting until every server has been migrated). An unreachable
 * server, a failed migration or a cluster server still without the schema
 * becomes a StoreOpenError naming the URL and database.
 *
 * @example const store = await openClickHouseStore({ url: 'http://127.0.0.1:8123', database: 'chatmeter' });
 */
export async function openClickHouseStore(options: ClickHouseStoreOptions & { migrate?: boolean }): Promise<ClickHouseStore> {
  const connection = openClickHouseConnection(options);
  const tables = clickHouseTables(options.database, options.cluster);
  try {
    if (options.migrate !== false) await applyClickHouseMigrations(connection, tables);
    else await connection.rows(`SELECT 1 FROM ${tables.table('events')} LIMIT 0`);
    await waitForClusterSchema(connection, tables, options.clusterSchemaWaitMs);
  } catch (error) {
    await connection.close();
    if (error instanceof ClickHouseSchemaVersionError) throw error;
    throw new StoreOpenError(`${options.url} database ${options.database}`, reasonOf(error), { cause: error });
  }
  let queue: LocalPromptQueue;
  try {
    queue = new LocalPromptQueue(options.queuePath);
  } catch (error) {
    await connection.close();
    throw new StoreOpenError(`${options.queuePath} (classification queue)`, reasonOf(error), { cause: error });
  }
  return new ClickHouseStore(connection, tables, queue);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates or upgrades the schema on the server at `url`; returns the migrations applied (none when up to date). */
export async function migrateClickHouse(options: ClickHouseStoreOptions): Promise<{ applied: string[] }> {
  const connection = openClickHouseConnection(options);
  try {
    return { applied: await applyClickHouseMigrations(connection, clickHouseTables(options.database, options.cluster)) };
  } finally {
    await connection.close();
  }
}
