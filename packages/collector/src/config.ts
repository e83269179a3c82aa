import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ChatmeterError } from './chatmeter-error.js';

/** Thrown for a bad option; the message names the flag, its variable and why. */
export class ConfigError extends ChatmeterError {
  override name = 'ConfigError';
}

/** A write key; `dev` keys keep (PII-scrubbed) texts like debug-mode events. */
export interface WriteKey {
  key: string;
  dev: boolean;
}

/** A whole number ≥ 0 from a flag or variable string. */
function wholeNumber(defaultValue: number, meaning: string) {
  const message = `must be a whole number ≥ 0 (${meaning})`;
  return z.coerce.number({ error: message }).int(message).min(0, message).default(defaultValue);
}

/** Database and cluster names are written into SQL unquoted-safe: letters, digits and _ only. */
const CLICKHOUSE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Every option: its flag, its environment variable and its zod rule. */
const OPTIONS = {
  host: { flag: 'host', env: 'CHATMETER_HOST', schema: z.string().min(1, 'must not be empty').default('127.0.0.1') },
  port: {
    flag: 'port',
    env: 'CHATMETER_PORT',
    schema: z.coerce
      .number({ error: 'must be an integer 0–65535' })
      .int('must be an integer 0–65535')
      .min(0, 'must be an integer 0–65535')
      .max(65535, 'must be an integer 0–65535')
      .default(8787),
  },
  db: { flag: 'db', env: 'CHATMETER_DB', schema: z.string().min(1, 'must not be empty').default('./chatmeter.db') },
  // SQLite only: threads answering metric queries, each with a read-only connection; 0 answers them on the event loop.
  readers: {
    flag: 'readers',
    env: 'CHATMETER_READERS',
    schema: z.coerce.number({ error: 'must be an integer 0–64' }).int('must be an integer 0–64').min(0, 'must be an integer 0–64').max(64, 'must be an integer 0–64').optional(),
  },
  // The event store: SQLite embedded (one collector) or ClickHouse (any number of collectors).
  store: { flag: 'store', env: 'CHATMETER_STORE', schema: z.enum(['sqlite', 'clickhouse'], { error: 'must be sqlite or clickhouse' }).default('sqlite') },
  clickhouseUrl: {
    flag: 'clickhouse-url',
    env: 'CHATMETER_CLICKHOUSE_URL',
    schema: z.url({ protocol: /^https?$/, error: 'must be the HTTP interface of a ClickHouse server, e.g. http://127.0.0.1:8123' }).optional(),
  },
  clickhouseDatabase: {
    flag: 'clickhouse-database',
    env: 'CHATMETER_CLICKHOUSE_DATABASE',
    schema: z.string().regex(CLICKHOUSE_IDENTIFIER, 'must be a ClickHouse name: a letter or _ then letters, digits or _').default('chatmeter'),
  },
  clickhouseUser: { flag: 'clickhouse-user', env: 'CHATMETER_CLICKHOUSE_USER', schema: z.string().min(1, 'must not be empty').optional() },
  clickhousePassword: { flag: 'clickhouse-password', env: 'CHATMETER_CLICKHOUSE_PASSWORD', schema: z.string().optional() },
  clickhouseCluster: {
    flag: 'clickhouse-cluster',
    env: 'CHATMETER_CLICKHOUSE_CLUSTER',
    schema: z.string().regex(CLICKHOUSE_IDENTIFIER, 'must be a cluster name from the servers\' remote_servers: a letter or _ then letters, digits or _').optional(),
  },
  // With ClickHouse, prompts waiting for an LLM classifier wait in a local file per collector: their texts never reach ClickHouse.
  queueFile: { flag: 'queue-file', env: 'CHATMETER_QUEUE_FILE', schema: z.string().min(1, 'must not be empty').optional() },
  noMigrate: {
    flag: 'no-migrate',
    env: 'CHATMETER_NO_MIGRATE',
    schema: z.enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0' }).transform((value) => value === '1' || value === 'true').default(false),
  },
  writeKeys: {
    flag: 'write-key',
    env: 'CHATMETER_WRITE_KEYS',
    schema: z
      .array(z.string().regex(/^[A-Za-z0-9_.-]{8,128}(:dev)?$/, 'must be 8–128 characters of A-Z a-z 0-9 _ . - (append ":dev" to mark a dev key)'))
      .default([]),
  },
  readKey: {
    flag: 'read-key',
    env: 'CHATMETER_READ_KEY',
    schema: z.string().regex(/^[A-Za-z0-9_.-]{8,128}$/, 'must be 8–128 characters of A-Z a-z 0-9 _ . -').optional(),
  },
  adminKey: {
    flag: 'admin-key',
    env: 'CHATMETER_ADMIN_KEY',
    schema: z.string().regex(/^[A-Za-z0-9_.-]{8,128}$/, 'must be 8–128 characters of A-Z a-z 0-9 _ . -').optional(),
  },
  corsOrigins: {
    flag: 'cors-origin',
    env: 'CHATMETER_CORS_ORIGINS',
    schema: z
      .array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be "*" or an origin like https://app.example.com (no path)'))
      .default([]),
  },
  // User ids or emails whose traffic is internal (the team's own): `*` is a wildcard, case is ignored.
  internalUsers: {
    flag: 'internal-users',
    env: 'CHATMETER_INTERNAL_USERS',
    schema: z.array(z.string().min(1, 'must not be empty (a user id or email, * as wildcard, e.g. *@acme.com)')).default([]),
  },
  intents: { flag: 'intents', env: 'CHATMETER_INTENTS', schema: z.string().min(1).optional() },
  llmUrl: { flag: 'llm-url', env: 'CHATMETER_LLM_URL', schema: z.url('must be a URL like https://openrouter.ai/api/v1').optional() },
  llmModel: { flag: 'llm-model', env: 'CHATMETER_LLM_MODEL', schema: z.string().min(1).optional() },
  sampleRate: {
    flag: 'sample-rate',
    env: 'CHATMETER_SAMPLE_RATE',
    schema: z.coerce.number({ error: 'must be a number 0–100' }).min(0, 'must be 0–100').max(100, 'must be 0–100').default(100),
  },
  // Spend on the LLM classifier per UTC day, in the currency the provider
  // bills (usually USD); when reached, the built-in classifier takes over until midnight UTC.
  classifierDailyBudget: {
    flag: 'classifier-daily-budget',
    env: 'CHATMETER_CLASSIFIER_DAILY_BUDGET',
    schema: z.coerce.number({ error: 'must be an amount ≥ 0, e.g. 5 or 2.50' }).min(0, 'must be an amount ≥ 0, e.g. 5 or 2.50').optional(),
  },
  peakHours: {
    flag: 'peak-hours',
    env: 'CHATMETER_PEAK_HOURS',
    schema: z
      .string()
      .regex(/^([01]?\d|2[0-4])-([01]?\d|2[0-4])$/, 'must be START-END in whole UTC hours 0–24, e.g. 9-17 (22-6 wraps past midnight)')
      .transform((value) => {
        const [start, end] = value.split('-').map(Number) as [number, number];
        return { startHour: start % 24, endHour: end % 24 };
      })
      .refine((hours) => hours.startHour !== hours.endHour, 'must name a window, not START-END with START = END')
      .optional(),
  },
  peakSampleRate: {
    flag: 'peak-sample-rate',
    env: 'CHATMETER_PEAK_SAMPLE_RATE',
    schema: z.coerce.number({ error: 'must be a number 0–100' }).min(0, 'must be 0–100').max(100, 'must be 0–100').optional(),
  },
  alwaysClassifyPlans: {
    flag: 'always-classify-plan',
    env: 'CHATMETER_ALWAYS_CLASSIFY_PLANS',
    schema: z.array(z.string().min(1)).default(['enterprise']),
  },
  demo: {
    flag: 'demo',
    env: 'CHATMETER_DEMO',
    schema: z.enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0' }).transform((value) => value === '1' || value === 'true').optional(),
  },
  minFreeDiskMb: {
    flag: 'min-free-disk-mb',
    env: 'CHATMETER_MIN_FREE_DISK_MB',
    schema: z.coerce.number({ error: 'must be a number of megabytes' }).min(0, 'must be 0 or more megabytes').default(100),
  },
  // Slow clients must not hold sockets: a slowloris header trickle is cut
  // after 10 s, a whole request after 30 s (a 500 KB batch on a slow mobile
  // link takes a few seconds). Node needs headersTimeout > keepAliveTimeout.
  headersTimeoutMs: { flag: 'headers-timeout-ms', env: 'CHATMETER_HEADERS_TIMEOUT_MS', schema: wholeNumber(10_000, 'milliseconds') },
  requestTimeoutMs: { flag: 'request-timeout-ms', env: 'CHATMETER_REQUEST_TIMEOUT_MS', schema: wholeNumber(30_000, 'milliseconds') },
  keepAliveTimeoutMs: { flag: 'keep-alive-timeout-ms', env: 'CHATMETER_KEEP_ALIVE_TIMEOUT_MS', schema: wholeNumber(5_000, 'milliseconds') },
  // Below the usual 1,024 open-file limit, leaving room for the database,
  // logs and the classifier's outgoing connections. 0 means no cap.
  maxConnections: { flag: 'max-connections', env: 'CHATMETER_MAX_CONNECTIONS', schema: wholeNumber(900, '0 for no cap') },
  // Generous: a busy browser SDK sends about one batch a second, a server
  // SDK a few; 1,000 per second (burst 2,000) only stops floods. 0 turns a limit off.
  rateLimitPerKey: { flag: 'rate-limit-per-key', env: 'CHATMETER_RATE_LIMIT_PER_KEY', schema: wholeNumber(1_000, 'requests per second, 0 for none') },
  rateLimitPerIp: { flag: 'rate-limit-per-ip', env: 'CHATMETER_RATE_LIMIT_PER_IP', schema: wholeNumber(1_000, 'requests per second, 0 for none') },
  // Unset keeps events forever; the retention job deletes older ones in the background (src/lifecycle/retention-job.ts).
  retentionDays: {
    flag: 'retention-days',
    env: 'CHATMETER_RETENTION_DAYS',
    schema: z.coerce
      .number({ error: 'must be a whole number of days 1–36500 (leave it unset to keep events forever)' })
      .int('must be a whole number of days 1–36500 (leave it unset to keep events forever)')
      .min(1, 'must be a whole number of days 1–36500 (leave it unset to keep events forever)')
      .max(36_500, 'must be a whole number of days 1–36500 (leave it unset to keep events forever)')
      .optional(),
  },
  logLevel: {
    flag: 'log-level',
    env: 'CHATMETER_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
} as const;

type OptionName = keyof typeof OPTIONS;
const LIST_OPTIONS: ReadonlySet<OptionName> = new Set(['writeKeys', 'corsOrigins', 'alwaysClassifyPlans', 'internalUsers']);
/** Flags without a value (`--demo`); their variable takes 1 or 0. */
const BOOLEAN_OPTIONS: ReadonlySet<OptionName> = new Set(['demo', 'noMigrate']);
/** Options that only mean something with `--store clickhouse`. */
const CLICKHOUSE_OPTIONS: readonly OptionName[] = [
  'clickhouseUrl', 'clickhouseDatabase', 'clickhouseUser', 'clickhousePassword', 'clickhouseCluster', 'queueFile', 'noMigrate',
];

const configSchema = z.object(
  Object.fromEntries(Object.entries(OPTIONS).map(([name, option]) => [name, option.schema])) as {
    [K in OptionName]: (typeof OPTIONS)[K]['schema'];
  },
);

type ParsedOptions = z.output<typeof configSchema>;

/** Validated collector configuration. */
export interface CollectorConfig extends Omit<ParsedOptions, 'writeKeys' | 'demo'> {
  writeKeys: WriteKey[];
  /** Serve the public `/demo` page: on by default in development, off in production unless `--demo`. */
  demo: boolean;
  llmApiKey: string | undefined;
  production: boolean;
}

/** Flags accepted by every command that runs a collector (for parseArgs). */
export const configFlags = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, option]) => [
    option.flag,
    BOOLEAN_OPTIONS.has(name as OptionName)
      ? { type: 'boolean' as const, multiple: false }
      : { type: 'string' as const, multiple: LIST_OPTIONS.has(name as OptionName) },
  ]),
);

/**
 * Reads flags first, then environment variables, then defaults. Lists accept
 * repeated flags or a comma-separated variable.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: configFlags, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const raw: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(OPTIONS) as [OptionName, (typeof OPTIONS)[OptionName]][]) {
    const fromFlag = values[option.flag];
    const fromEnv = env[option.env];
    if (fromFlag === true) raw[name] = 'true';
    else if (fromFlag !== undefined) raw[name] = LIST_OPTIONS.has(name) ? splitList(fromFlag) : fromFlag;
    else if (fromEnv !== undefined && fromEnv !== '') raw[name] = LIST_OPTIONS.has(name) ? splitList(fromEnv) : fromEnv;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path[0] as OptionName | undefined;
    const option = name === undefined ? undefined : OPTIONS[name];
    const value = name === undefined ? undefined : raw[name];
    const shown = Array.isArray(value) ? value[Number(issue?.path[1] ?? 0)] : value;
    throw new ConfigError(
      option === undefined
        ? `invalid configuration: ${issue?.message ?? 'unknown problem'}`
        : `--${option.flag} (${option.env}) ${issue?.message ?? 'is invalid'}, got ${JSON.stringify(shown)}`,
    );
  }
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = parsed.data;
  if (headersTimeoutMs > 0 && keepAliveTimeoutMs >= headersTimeoutMs) {
    throw new ConfigError(
      `--keep-alive-timeout-ms (CHATMETER_KEEP_ALIVE_TIMEOUT_MS) must be below --headers-timeout-ms (${headersTimeoutMs}), got ${keepAliveTimeoutMs}`,
    );
  }
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `--headers-timeout-ms (CHATMETER_HEADERS_TIMEOUT_MS) must not exceed --request-timeout-ms (${requestTimeoutMs}), got ${headersTimeoutMs}`,
    );
  }
  if ((parsed.data.peakHours === undefined) !== (parsed.data.peakSampleRate === undefined)) {
    throw new ConfigError(
      '--peak-hours (CHATMETER_PEAK_HOURS) and --peak-sample-rate (CHATMETER_PEAK_SAMPLE_RATE) go together: give both or neither',
    );
  }
  checkStoreOptions(parsed.data.store, raw);
  const { writeKeys, demo, ...rest } = parsed.data;
  const production = env['NODE_ENV'] === 'production';
  return {
    ...rest,
    demo: demo ?? !production,
    writeKeys: writeKeys.map((entry) => (entry.endsWith(':dev') ? { key: entry.slice(0, -4), dev: true } : { key: entry, dev: false })),
    llmApiKey: env['CHATMETER_LLM_API_KEY'] || undefined,
    production,
  };
}

/** Options of the other engine are a mistake worth stopping for: the operator believes they apply. */
function checkStoreOptions(store: 'sqlite' | 'clickhouse', raw: Record<string, unknown>): void {
  // CHATMETER_NO_MIGRATE=0 asks for nothing, so it is no stray option.
  const given = (name: OptionName) => raw[name] !== undefined && !(name === 'noMigrate' && ['0', 'false'].includes(String(raw[name])));
  const named = (name: OptionName) => `--${OPTIONS[name].flag} (${OPTIONS[name].env})`;
  if (store === 'clickhouse') {
    if (given('db')) throw new ConfigError(`${named('db')} is the SQLite file and does not apply with --store clickhouse; remove it`);
    if (given('readers')) throw new ConfigError(`${named('readers')} sets SQLite's reader threads and does not apply with --store clickhouse; remove it`);
    if (!given('clickhouseUrl')) {
      throw new ConfigError(`${named('clickhouseUrl')} is required with --store clickhouse, e.g. --clickhouse-url http://127.0.0.1:8123`);
    }
    return;
  }
  const stray = CLICKHOUSE_OPTIONS.find(given);
  if (stray !== undefined) throw new ConfigError(`${named(stray)} applies only with --store clickhouse (CHATMETER_STORE=clickhouse); the store is sqlite`);
}

function splitList(value: string | boolean | (string | boolean)[]): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => String(item).split(',')).map((item) => item.trim()).filter((item) => item !== '');
}
