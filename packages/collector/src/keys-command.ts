import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type CollectorConfig } from './config.js';
import { KEY_SETTINGS } from './keys.js';
import { openClickHouseStore } from './store/clickhouse/index.js';
import { clickHouseOptionsFrom, describeStore } from './store/open-store.js';
import type { SettingsStore } from './store/settings-store.js';
import { SqliteStore } from './store/sqlite/index.js';

/**
 * `chatmeter-collector keys [--db PATH | --store clickhouse …]`: prints the
 * keys a development start generated and kept in the store's settings (the
 * SQLite file's `settings` table, or ClickHouse's, which every collector of
 * that database shares). `start` prints them only once, when it creates
 * them; this shows them again.
 */
export async function runKeys(argv: readonly string[], output: NodeJS.WritableStream = process.stdout): Promise<void> {
  const config = loadConfig(argv);
  const where = describeStore(config);
  const store = await openSettings(config);
  try {
    const rows: [string, string | null][] = [
      ['write key', await store.getSetting(KEY_SETTINGS.writeKey)],
      ['read key ', await store.getSetting(KEY_SETTINGS.readKey)],
      ['admin key', await store.getSetting(KEY_SETTINGS.adminKey)],
      ['demo key ', await store.getSetting(KEY_SETTINGS.demoWriteKey)],
    ];
    const found = rows.filter((row): row is [string, string] => row[1] !== null);
    if (found.length === 0) {
      output.write(`no generated keys in ${where}: this collector runs with --write-key and --read-key\n`);
      return;
    }
    output.write(found.map(([label, key]) => `${label}  ${key}\n`).join(''));
    output.write(`(generated keys, kept in plaintext in the settings table of ${where}; the demo key only writes, from /demo)\n`);
  } finally {
    await store.close();
  }
}

/** The store's settings, read-only: the SQLite file must exist; a ClickHouse schema is read as it is, never migrated. */
async function openSettings(config: CollectorConfig): Promise<Pick<SettingsStore, 'getSetting'> & { close(): Promise<void> }> {
  if (config.store === 'clickhouse') return openClickHouseStore({ ...clickHouseOptionsFrom(config), migrate: false });
  if (!existsSync(config.db)) {
    throw new ConfigError(`no database at ${config.db}; run chatmeter-collector start once to generate keys, or pass --db (CHATMETER_DB)`);
  }
  return new SqliteStore({ path: config.db, readonly: true });
}
