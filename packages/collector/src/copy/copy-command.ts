import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openClickHouseStore } from '../store/clickhouse/index.js';
import { clickHouseOptionsFrom, describeStore } from '../store/open-store.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { copyEvents } from './copy-events.js';

const USAGE =
  'usage: chatmeter-collector copy --from sqlite:FILE --to clickhouse:URL ' +
  '[--clickhouse-database NAME] [--clickhouse-user USER] [--clickhouse-password PW] [--clickhouse-cluster NAME] [--page-size N]';

/** The ClickHouse flags `copy` passes on to the collector's own option table (so variables and checks are the same). */
const CLICKHOUSE_FLAGS = ['clickhouse-database', 'clickhouse-user', 'clickhouse-password', 'clickhouse-cluster'] as const;

/**
 * `chatmeter-collector copy --from sqlite:FILE --to clickhouse:URL`: copies a
 * SQLite file's events into ClickHouse (migrating its schema first). Safe to
 * run again and to interrupt: see `copyEvents`. The SQLite file may stay in
 * use by a running collector; a later run picks up the events it stored since.
 */
export async function runCopy(argv: readonly string[], output: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'page-size': { type: 'string' },
        ...Object.fromEntries(CLICKHOUSE_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new ConfigError(`copy: ${error instanceof Error ? error.message : String(error)}; ${USAGE}`);
  }
  const from = values['from'] ?? '';
  const to = values['to'] ?? '';
  if (!from.startsWith('sqlite:') || from.length === 'sqlite:'.length) throw new ConfigError(`copy needs --from sqlite:FILE, got ${JSON.stringify(from)}; ${USAGE}`);
  if (!to.startsWith('clickhouse:') || to.length === 'clickhouse:'.length) {
    throw new ConfigError(`copy needs --to clickhouse:URL, e.g. clickhouse:http://127.0.0.1:8123, got ${JSON.stringify(to)}; ${USAGE}`);
  }
  const sqlitePath = from.slice('sqlite:'.length);
  // Opening a missing path would create an empty database and "copy" nothing.
  if (!existsSync(sqlitePath)) throw new ConfigError(`copy --from: no SQLite file at ${sqlitePath}`);
  const pageSize = values['page-size'] === undefined ? 10_000 : Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1_000_000) {
    throw new ConfigError(`copy --page-size must be a whole number 1–1000000, got ${JSON.stringify(values['page-size'])}`);
  }
  const { CHATMETER_DB: _db, CHATMETER_STORE: _store, ...clickHouseEnv } = env;
  const config = loadConfig(
    ['--store', 'clickhouse', '--clickhouse-url', to.slice('clickhouse:'.length),
      ...CLICKHOUSE_FLAGS.flatMap((flag) => (values[flag] === undefined ? [] : [`--${flag}`, values[flag]!]))],
    clickHouseEnv,
  );

  const source = new SqliteStore({ path: sqlitePath });
  try {
    const destination = await openClickHouseStore({ ...clickHouseOptionsFrom(config), migrate: true });
    try {
      const started = Date.now();
      const result = await copyEvents({
        source: source.db,
        destination,
        pageSize,
        onPage: (progress) => output.write(`copied ${progress.read} events (up to row ${progress.lastRowId})\n`),
      });
      output.write(
        `${result.resumedAfterRowId === 0 ? 'copied' : `resumed after row ${result.resumedAfterRowId}; copied`} ` +
          `${result.read} events from ${sqlitePath} to ${describeStore(config)} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
          `(${result.inserted} new, ${result.duplicates} already there)\n`,
      );
    } finally {
      await destination.close();
    }
  } finally {
    await source.close();
  }
}
