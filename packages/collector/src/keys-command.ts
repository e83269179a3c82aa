import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.js';
import { KEY_SETTINGS } from './keys.js';
import { SqliteStore } from './store/sqlite/index.js';

/**
 * `chatmeter-collector keys [--db PATH]`: prints the keys a development
 * start generated and kept in the database's `settings` table. `start`
 * prints them only once, when it creates them; this shows them again.
 */
export async function runKeys(argv: readonly string[], output: NodeJS.WritableStream = process.stdout): Promise<void> {
  const config = loadConfig(argv);
  if (!existsSync(config.db)) {
    throw new ConfigError(`no database at ${config.db}; run chatmeter-collector start once to generate keys, or pass --db (CHATMETER_DB)`);
  }
  const store = new SqliteStore({ path: config.db, readonly: true });
  try {
    const rows: [string, string | null][] = [
      ['write key', await store.getSetting(KEY_SETTINGS.writeKey)],
      ['read key ', await store.getSetting(KEY_SETTINGS.readKey)],
      ['admin key', await store.getSetting(KEY_SETTINGS.adminKey)],
      ['demo key ', await store.getSetting(KEY_SETTINGS.demoWriteKey)],
    ];
    const found = rows.filter((row): row is [string, string] => row[1] !== null);
    if (found.length === 0) {
      output.write(`no generated keys in ${config.db}: this collector runs with --write-key and --read-key\n`);
      return;
    }
    output.write(found.map(([label, key]) => `${label}  ${key}\n`).join(''));
    output.write(`(generated keys, kept in plaintext in the settings table of ${config.db}; the demo key only writes, from /demo)\n`);
  } finally {
    await store.close();
  }
}
