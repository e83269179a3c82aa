#!/usr/bin/env node
import { ChatmeterError } from './chatmeter-error.js';
import { ConfigError, loadConfig } from './config.js';
import { runBackup } from './backup-command.js';
import { runDemoData } from './demo/demo-data-command.js';
import { runIntents } from './intent/intents-command.js';
import { runKeys } from './keys-command.js';
import { runMigrate } from './migrate-command.js';
import { runCopy } from './copy/copy-command.js';
import { describeStore } from './store/open-store.js';
import { createLogger } from './logger.js';
import type { Logger } from 'pino';
import { startServer, type RunningCollector } from './server.js';

const USAGE = `usage: chatmeter-collector [start] [options]
       chatmeter-collector demo-data [--users N] [--days N] [--seed N] [--url URL] [--write-key KEY]
                           (demo-data --help for details)
       chatmeter-collector intents eval --file labelled.jsonl [--classifier builtin|llm]
       chatmeter-collector intents classify < prompts.jsonl
       chatmeter-collector keys [--db PATH | --store clickhouse …]   show the generated development keys
       chatmeter-collector backup --to FILE [--db PATH]   online backup; restore with start --db FILE
       chatmeter-collector migrate [--store clickhouse --clickhouse-url URL …]   create or upgrade the schema, then exit
       chatmeter-collector copy --from sqlite:FILE --to clickhouse:URL [--clickhouse-* …]   copy events into ClickHouse (resumable)

options (each also read from its environment variable):
  --host HOST                 CHATMETER_HOST            default 127.0.0.1
  --port PORT                 CHATMETER_PORT            default 8787
  --db PATH                   CHATMETER_DB              default ./chatmeter.db
  --write-key KEY[:dev]       CHATMETER_WRITE_KEYS      repeatable / comma list
  --read-key KEY              CHATMETER_READ_KEY
  --admin-key KEY             CHATMETER_ADMIN_KEY       raw event export, user erasure (generated in development)
  --cors-origin ORIGIN        CHATMETER_CORS_ORIGINS    repeatable / comma list
  --internal-users PATTERN    CHATMETER_INTERNAL_USERS  internal user ids/emails, * wildcard (repeatable / comma list)
  --intents FILE              CHATMETER_INTENTS         taxonomy JSON
  --llm-url URL               CHATMETER_LLM_URL         OpenAI-compatible endpoint
  --llm-model MODEL           CHATMETER_LLM_MODEL       (key: CHATMETER_LLM_API_KEY)
  --sample-rate 0-100         CHATMETER_SAMPLE_RATE     default 100 (LLM classifier only)
  --always-classify-plan P    CHATMETER_ALWAYS_CLASSIFY_PLANS default enterprise
  --peak-hours H-H            CHATMETER_PEAK_HOURS      busiest UTC hours, e.g. 9-17 (with --peak-sample-rate)
  --peak-sample-rate 0-100    CHATMETER_PEAK_SAMPLE_RATE  sample rate during the peak hours
  --classifier-daily-budget USD CHATMETER_CLASSIFIER_DAILY_BUDGET LLM spend per UTC day, then built-in until midnight UTC
  --headers-timeout-ms MS     CHATMETER_HEADERS_TIMEOUT_MS    default 10000
  --request-timeout-ms MS     CHATMETER_REQUEST_TIMEOUT_MS    default 30000
  --keep-alive-timeout-ms MS  CHATMETER_KEEP_ALIVE_TIMEOUT_MS default 5000 (below the headers timeout)
  --max-connections N         CHATMETER_MAX_CONNECTIONS       default 900, 0 for no cap
  --rate-limit-per-key N      CHATMETER_RATE_LIMIT_PER_KEY    requests/s per write key, default 1000 (burst 2x), 0 for none
  --rate-limit-per-ip N       CHATMETER_RATE_LIMIT_PER_IP     requests/s per client address (ingest, metrics), default 1000 (burst 2x), 0 for none
  --retention-days N          CHATMETER_RETENTION_DAYS  delete events older than N days (default: keep forever)
  --log-level LEVEL           CHATMETER_LOG_LEVEL       default info
  --demo                      CHATMETER_DEMO=1|0        serve /demo (default: on in development, off in production)
  --min-free-disk-mb MB       CHATMETER_MIN_FREE_DISK_MB /readyz fails below this free space, default 100
  --no-demo-data              CHATMETER_DEMO_DATA=0     do not load demo data into an empty database
  --store sqlite|clickhouse   CHATMETER_STORE           default sqlite (--db); clickhouse for several collectors
  --clickhouse-url URL        CHATMETER_CLICKHOUSE_URL  HTTP interface, e.g. http://127.0.0.1:8123 (required with clickhouse)
  --clickhouse-database NAME  CHATMETER_CLICKHOUSE_DATABASE default chatmeter
  --clickhouse-user USER      CHATMETER_CLICKHOUSE_USER default: the server's default user
  --clickhouse-password PW    CHATMETER_CLICKHOUSE_PASSWORD (prefer the variable: flags show in ps)
  --clickhouse-cluster NAME   CHATMETER_CLICKHOUSE_CLUSTER  shard over this remote_servers cluster (Distributed tables)
  --queue-file PATH           CHATMETER_QUEUE_FILE      ClickHouse: local file of prompts awaiting the LLM classifier (default in memory)
  --no-migrate                CHATMETER_NO_MIGRATE=1    ClickHouse: do not create/upgrade the schema at start
`;

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const command = first === undefined || first.startsWith('-') ? 'start' : first;
  const args = command === first ? rest : argv;
  switch (command) {
    case 'start':
      await runStart(args);
      return;
    case 'demo-data':
      await runDemoData(args);
      return;
    case 'intents':
      await runIntents(args);
      return;
    case 'keys':
      await runKeys(args);
      return;
    case 'backup':
      await runBackup(args);
      return;
    case 'migrate':
      await runMigrate(args);
      return;
    case 'copy':
      await runCopy(args);
      return;
    default:
      throw new ConfigError(`unknown command "${command}"; run chatmeter-collector --help`);
  }
}

async function runStart(argv: string[]): Promise<void> {
  // --no-demo-data is a start-up choice, not collector configuration.
  const offerDemoData = !argv.includes('--no-demo-data') && process.env['CHATMETER_DEMO_DATA'] !== '0';
  const config = loadConfig(argv.filter((arg) => arg !== '--no-demo-data'));
  const logger = createLogger(config.logLevel);
  const collector = await startServer(config, logger);
  process.stderr.write(
    `\nChatmeter collector on ${collector.url}\n` +
      `  dashboard  ${collector.url}/dashboard\n` +
      (collector.keys.demoWriteKey === undefined ? '' : `  demo chat  ${collector.url}/demo\n`),
  );
  // A generated key is shown once, when it is created (as self-hosted analytics
  // tools do); later starts say where to find it instead of repeating secrets in logs.
  if (collector.keys.generatedNow) {
    process.stderr.write(
      `  write key  ${collector.keys.writeKeys.map((writeKey) => writeKey.key).join(', ')}\n` +
        `  read key   ${collector.keys.readKey}\n` +
        (collector.keys.adminKey === undefined ? '' : `  admin key  ${collector.keys.adminKey}\n`) +
        (config.store === 'sqlite'
          ? `  (development keys, generated now and kept in the settings table of ${config.db};\n` +
            `   show them again with: chatmeter-collector keys --db ${config.db})\n`
          : `  (development keys, generated now and kept in the settings table of ${describeStore(config)};\n` +
            `   show them again with: chatmeter-collector keys and the same --store/--clickhouse-* options)\n`),
    );
  } else if (collector.keys.generated) {
    process.stderr.write(
      config.store === 'sqlite'
        ? `  keys       development keys kept in ${config.db}; show them with: chatmeter-collector keys --db ${config.db}\n`
        : `  keys       development keys kept in the settings table of ${describeStore(config)}; show them with: chatmeter-collector keys and the same --store/--clickhouse-* options\n`,
    );
  }
  process.stderr.write('\n');
  registerShutdown(collector, logger);
  // A first look should show a full dashboard: an empty development database gets demo traffic.
  const writeKey = collector.keys.writeKeys[0]?.key;
  if (offerDemoData && !config.production && writeKey !== undefined && !(await collector.store.hasEvents())) {
    process.stderr.write('Empty database: loading demo data (start with --no-demo-data to skip).\n');
    try {
      await runDemoData(['--url', collector.url, '--write-key', writeKey], { stdout: process.stderr });
    } catch (error) {
      // The collector keeps running without demo data.
      process.stderr.write(`demo data not loaded: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

function registerShutdown(collector: RunningCollector, logger: Logger): void {
  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down');
    collector.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Problems the operator fixes (flags, schema, an unreachable collector) get one line, not a stack trace.
  if (error instanceof ChatmeterError) {
    process.stderr.write(`chatmeter-collector: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`chatmeter-collector: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
