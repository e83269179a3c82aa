import { ChatmeterError } from './chatmeter-error.js';
import { loadConfig } from './config.js';
import { StoreOpenError } from './store/store-open-error.js';
import { migrateClickHouse } from './store/clickhouse/index.js';
import { clickHouseOptionsFrom, describeStore } from './store/open-store.js';
import { SqliteStore } from './store/sqlite/index.js';

/**
 * `chatmeter-collector migrate [--store clickhouse --clickhouse-url URL …]`:
 * creates or upgrades the schema and exits. Idempotent: a second run applies
 * nothing. With `--clickhouse-cluster` it creates the local and Distributed
 * tables on the server it is connected to (no ON CLUSTER DDL, which needs
 * ZooKeeper), so run it once against each server of the cluster. A SQLite
 * file is migrated whenever it is opened, so for SQLite this only opens it.
 */
export async function runMigrate(argv: readonly string[], output: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(argv, env);
  if (config.store === 'sqlite') {
    const store = new SqliteStore({ path: config.db });
    await store.close();
    output.write(`${describeStore(config)}: schema is current\n`);
    return;
  }
  let applied: string[];
  try {
    ({ applied } = await migrateClickHouse(clickHouseOptionsFrom(config)));
  } catch (error) {
    // An unreachable server or a refused login is the operator's to fix: one line naming where, not a stack trace.
    if (error instanceof ChatmeterError) throw error;
    throw new StoreOpenError(describeStore(config), error instanceof Error ? error.message : String(error), { cause: error });
  }
  output.write(
    applied.length === 0
      ? `${describeStore(config)}: schema is current, nothing applied\n`
      : `${describeStore(config)}: applied ${applied.join(', ')}\n`,
  );
}
