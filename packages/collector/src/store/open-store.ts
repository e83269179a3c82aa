import { dirname, resolve as resolvePath } from 'node:path';
import type { CollectorConfig } from '../config.js';
import { openClickHouseStore, type ClickHouseStoreOptions } from './clickhouse/index.js';
import { SqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

/** The part of the configuration that chooses and reaches an engine. */
export type StoreConfig = Pick<
  CollectorConfig,
  'store' | 'db' | 'readers' | 'clickhouseUrl' | 'clickhouseDatabase' | 'clickhouseUser' | 'clickhousePassword' | 'clickhouseCluster' | 'queueFile' | 'noMigrate'
>;

/** The ClickHouse connection the options describe (config validation guarantees the URL with `--store clickhouse`). */
export function clickHouseOptionsFrom(config: StoreConfig): ClickHouseStoreOptions {
  if (config.clickhouseUrl === undefined) throw new Error('clickHouseOptionsFrom: --clickhouse-url is required (loadConfig checks this)');
  return {
    url: config.clickhouseUrl,
    database: config.clickhouseDatabase,
    ...(config.clickhouseUser === undefined ? {} : { username: config.clickhouseUser }),
    ...(config.clickhousePassword === undefined ? {} : { password: config.clickhousePassword }),
    ...(config.clickhouseCluster === undefined ? {} : { cluster: config.clickhouseCluster }),
    ...(config.queueFile === undefined ? {} : { queuePath: config.queueFile }),
  };
}

/**
 * Opens the configured engine: the SQLite file (migrated on open), or
 * ClickHouse (migrated unless `--no-migrate`).
 */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.store === 'sqlite') return SqliteStore.open({ path: config.db, ...(config.readers === undefined ? {} : { readers: config.readers }) });
  return openClickHouseStore({ ...clickHouseOptionsFrom(config), migrate: !config.noMigrate });
}

/** Where the events live, for logs and messages: the SQLite path, or the ClickHouse URL and database (never the password). */
export function describeStore(config: StoreConfig): string {
  if (config.store === 'sqlite') return config.db;
  const cluster = config.clickhouseCluster === undefined ? '' : ` on cluster ${config.clickhouseCluster}`;
  return `ClickHouse ${redactUrl(config.clickhouseUrl ?? '')} database ${config.clickhouseDatabase}${cluster}`;
}

/**
 * The local directory whose free space readiness watches: the SQLite file's,
 * or with ClickHouse the local classification queue's (none when it has no file).
 */
export function localDataDirectory(config: StoreConfig): string | undefined {
  if (config.store === 'sqlite') return config.db === ':memory:' ? undefined : dirname(resolvePath(config.db));
  return config.queueFile === undefined ? undefined : dirname(resolvePath(config.queueFile));
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
