import { parseArgs } from 'node:util';
import { ConfigError } from './config.js';
import { backupDatabase } from './store/sqlite/backup-database.js';

/**
 * `chatmeter-collector backup --to FILE [--db PATH]`: a consistent copy of
 * the database, taken while the collector runs. Restore by starting a
 * collector on the copy: `chatmeter-collector start --db FILE`.
 */
export async function runBackup(argv: readonly string[], output: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let values: { to?: string | undefined; db?: string | undefined };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { to: { type: 'string' }, db: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(`backup: ${error instanceof Error ? error.message : String(error)}; usage: chatmeter-collector backup --to FILE [--db PATH]`);
  }
  if (values.to === undefined || values.to === '') {
    throw new ConfigError('backup needs --to FILE: where to write the copy (a new file)');
  }
  const db = values.db ?? (env['CHATMETER_DB'] || './chatmeter.db');
  if (db === ':memory:') throw new ConfigError('backup needs a database file; --db :memory: has nothing to copy');
  const started = Date.now();
  const { pages } = await backupDatabase(db, values.to);
  output.write(`backed up ${db} to ${values.to} (${pages} pages, ${Date.now() - started} ms); restore with: chatmeter-collector start --db ${values.to}\n`);
}
