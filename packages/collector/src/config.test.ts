import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig([], {});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      db: './chatmeter.db',
      writeKeys: [],
      corsOrigins: [],
      sampleRate: 100,
      alwaysClassifyPlans: ['enterprise'],
      production: false,
    });
  });

  it('stores in SQLite unless told otherwise, and ClickHouse options default to the chatmeter database with migrations on', () => {
    expect(loadConfig([], {})).toMatchObject({ store: 'sqlite', db: './chatmeter.db', clickhouseDatabase: 'chatmeter', noMigrate: false });
    expect(loadConfig([], {}).clickhouseUrl).toBeUndefined();
  });

  it('reads every ClickHouse option from flags and from CHATMETER_ variables', () => {
    const fromFlags = loadConfig(
      ['--store', 'clickhouse', '--clickhouse-url', 'http://127.0.0.1:8123', '--clickhouse-database', 'analytics', '--clickhouse-user', 'writer',
        '--clickhouse-password', 's3cret', '--clickhouse-cluster', 'two_shards', '--queue-file', '/var/lib/chatmeter/queue.db', '--no-migrate'],
      {},
    );
    expect(fromFlags).toMatchObject({
      store: 'clickhouse', clickhouseUrl: 'http://127.0.0.1:8123', clickhouseDatabase: 'analytics', clickhouseUser: 'writer',
      clickhousePassword: 's3cret', clickhouseCluster: 'two_shards', queueFile: '/var/lib/chatmeter/queue.db', noMigrate: true,
    });
    const fromEnv = loadConfig([], {
      CHATMETER_STORE: 'clickhouse', CHATMETER_CLICKHOUSE_URL: 'https://ch.example:8443', CHATMETER_CLICKHOUSE_DATABASE: 'analytics',
      CHATMETER_CLICKHOUSE_USER: 'writer', CHATMETER_CLICKHOUSE_PASSWORD: 's3cret', CHATMETER_CLICKHOUSE_CLUSTER: 'two_shards',
      CHATMETER_QUEUE_FILE: 'queue.db', CHATMETER_NO_MIGRATE: '1',
    });
    expect(fromEnv).toMatchObject({
      store: 'clickhouse', clickhouseUrl: 'https://ch.example:8443', clickhouseDatabase: 'analytics', clickhouseUser: 'writer',
      clickhousePassword: 's3cret', clickhouseCluster: 'two_shards', queueFile: 'queue.db', noMigrate: true,
    });
  });

  it('refuses a ClickHouse store without a URL, with a SQLite file, or with a bad URL or name', () => {
    expect(() => loadConfig(['--store', 'clickhouse'], {})).toThrow(
      new ConfigError('--clickhouse-url (CHATMETER_CLICKHOUSE_URL) is required with --store clickhouse, e.g. --clickhouse-url http://127.0.0.1:8123'),
    );
    expect(() => loadConfig(['--store', 'clickhouse', '--clickhouse-url', 'http://127.0.0.1:8123', '--db', 'x.db'], {})).toThrow(
      new ConfigError('--db (CHATMETER_DB) is the SQLite file and does not apply with --store clickhouse; remove it'),
    );
    expect(() => loadConfig(['--store', 'clickhouse', '--clickhouse-url', 'http://127.0.0.1:8123', '--readers', '2'], {})).toThrow(
      new ConfigError("--readers (CHATMETER_READERS) sets SQLite's reader threads and does not apply with --store clickhouse; remove it"),
    );
    expect(loadConfig(['--readers', '0'], {}).readers).toBe(0);
    expect(() => loadConfig([], { CHATMETER_READERS: '1.5' })).toThrow(/^--readers \(CHATMETER_READERS\) must be an integer 0–64, got "1.5"$/);
    expect(() => loadConfig(['--store', 'clickhouse', '--clickhouse-url', 'tcp://127.0.0.1:9000'], {})).toThrow(
      new ConfigError('--clickhouse-url (CHATMETER_CLICKHOUSE_URL) must be the HTTP interface of a ClickHouse server, e.g. http://127.0.0.1:8123, got "tcp://127.0.0.1:9000"'),
    );
    expect(() => loadConfig(['--store', 'clickhouse', '--clickhouse-url', 'http://h:8123', '--clickhouse-database', 'drop table;'], {})).toThrow(
      /^--clickhouse-database \(CHATMETER_CLICKHOUSE_DATABASE\) must be a ClickHouse name: a letter or _ then letters, digits or _, got "drop table;"$/,
    );
    expect(() => loadConfig(['--store', 'mysql'], {})).toThrow(new ConfigError('--store (CHATMETER_STORE) must be sqlite or clickhouse, got "mysql"'));
  });

  it('refuses ClickHouse options when the store is SQLite, naming the first one', () => {
    expect(() => loadConfig(['--clickhouse-url', 'http://127.0.0.1:8123'], {})).toThrow(
      new ConfigError('--clickhouse-url (CHATMETER_CLICKHOUSE_URL) applies only with --store clickhouse (CHATMETER_STORE=clickhouse); the store is sqlite'),
    );
    expect(() => loadConfig(['--no-migrate'], {})).toThrow(
      new ConfigError('--no-migrate (CHATMETER_NO_MIGRATE) applies only with --store clickhouse (CHATMETER_STORE=clickhouse); the store is sqlite'),
    );
    expect(loadConfig([], { CHATMETER_NO_MIGRATE: '0' }).noMigrate).toBe(false);
  });

  it('reads flags before environment variables', () => {
    const config = loadConfig(['--port', '9000'], { CHATMETER_PORT: '9100', CHATMETER_HOST: '0.0.0.0' });
    expect(config.port).toBe(9000);
    expect(config.host).toBe('0.0.0.0');
  });

  it('accepts repeated flags and comma lists, and marks dev write keys', () => {
    const fromFlags = loadConfig(['--write-key', 'key_one_1234', '--write-key', 'key_two_1234:dev'], {});
    expect(fromFlags.writeKeys).toEqual([
      { key: 'key_one_1234', dev: false },
      { key: 'key_two_1234', dev: true },
    ]);
    const fromEnv = loadConfig([], { CHATMETER_CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(fromEnv.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('stops with a message naming the flag, its variable and the bad value', () => {
    expect(() => loadConfig(['--port', 'abc'], {})).toThrow(
      new ConfigError('--port (CHATMETER_PORT) must be an integer 0–65535, got "abc"'),
    );
    expect(() => loadConfig([], { CHATMETER_PORT: '70000' })).toThrow(/--port \(CHATMETER_PORT\) must be an integer 0–65535, got "70000"/);
    expect(() => loadConfig(['--cors-origin', 'https://ok.example/path'], {})).toThrow(/--cors-origin \(CHATMETER_CORS_ORIGINS\) must be/);
    expect(() => loadConfig(['--write-key', 'short'], {})).toThrow(/--write-key \(CHATMETER_WRITE_KEYS\).*got "short"/);
  });

  it('limits slow clients, connections and request rates by default', () => {
    expect(loadConfig([], {})).toMatchObject({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 900,
      rateLimitPerKey: 1_000,
      rateLimitPerIp: 1_000,
    });
  });

  it('reads the server limits from flags and variables, 0 included', () => {
    const config = loadConfig(['--max-connections', '0', '--rate-limit-per-key', '5'], {
      CHATMETER_RATE_LIMIT_PER_IP: '0',
      CHATMETER_HEADERS_TIMEOUT_MS: '2000',
      CHATMETER_KEEP_ALIVE_TIMEOUT_MS: '1000',
    });
    expect(config).toMatchObject({ maxConnections: 0, rateLimitPerKey: 5, rateLimitPerIp: 0, headersTimeoutMs: 2000, keepAliveTimeoutMs: 1000 });
  });

  it('refuses server limits Node would reject or that make no sense', () => {
    expect(() => loadConfig([], { CHATMETER_RATE_LIMIT_PER_IP: '-1' })).toThrow(
      new ConfigError('--rate-limit-per-ip (CHATMETER_RATE_LIMIT_PER_IP) must be a whole number ≥ 0 (requests per second, 0 for none), got "-1"'),
    );
    expect(() => loadConfig(['--keep-alive-timeout-ms', '10000'], {})).toThrow(
      new ConfigError('--keep-alive-timeout-ms (CHATMETER_KEEP_ALIVE_TIMEOUT_MS) must be below --headers-timeout-ms (10000), got 10000'),
    );
    expect(() => loadConfig(['--headers-timeout-ms', '40000'], {})).toThrow(
      new ConfigError('--headers-timeout-ms (CHATMETER_HEADERS_TIMEOUT_MS) must not exceed --request-timeout-ms (30000), got 40000'),
    );
  });

  it('rejects unknown flags', () => {
    expect(() => loadConfig(['--prot', '1'], {})).toThrow(ConfigError);
  });
});

describe('the --demo option', () => {
  it('serves /demo by default in development and not in production', () => {
    expect(loadConfig([], {}).demo).toBe(true);
    expect(loadConfig([], { NODE_ENV: 'production' }).demo).toBe(false);
  });

  it('turns /demo on in production with --demo or CHATMETER_DEMO=1, and off with CHATMETER_DEMO=0', () => {
    expect(loadConfig(['--demo'], { NODE_ENV: 'production' }).demo).toBe(true);
    expect(loadConfig([], { NODE_ENV: 'production', CHATMETER_DEMO: '1' }).demo).toBe(true);
    expect(loadConfig([], { CHATMETER_DEMO: '0' }).demo).toBe(false);
  });

  it('rejects a CHATMETER_DEMO that is not 1 or 0, naming the variable', () => {
    expect(() => loadConfig([], { CHATMETER_DEMO: 'yes' })).toThrow('--demo (CHATMETER_DEMO) must be 1 or 0, got "yes"');
  });
});

describe('the classifier controls', () => {
  it('reads the peak hours and their rate, wrapping 24 to 0', () => {
    expect(loadConfig(['--peak-hours', '9-17', '--peak-sample-rate', '20'], {})).toMatchObject({
      peakHours: { startHour: 9, endHour: 17 },
      peakSampleRate: 20,
    });
    expect(loadConfig([], { CHATMETER_PEAK_HOURS: '18-24', CHATMETER_PEAK_SAMPLE_RATE: '5' }).peakHours).toEqual({ startHour: 18, endHour: 0 });
  });

  it('rejects malformed peak hours, naming the option', () => {
    expect(() => loadConfig(['--peak-hours', '9to17', '--peak-sample-rate', '20'], {})).toThrow(
      '--peak-hours (CHATMETER_PEAK_HOURS) must be START-END in whole UTC hours 0–24, e.g. 9-17 (22-6 wraps past midnight), got "9to17"',
    );
  });

  it('needs the peak hours and the peak rate together', () => {
    expect(() => loadConfig(['--peak-hours', '9-17'], {})).toThrow(
      '--peak-hours (CHATMETER_PEAK_HOURS) and --peak-sample-rate (CHATMETER_PEAK_SAMPLE_RATE) go together: give both or neither',
    );
  });

  it('reads a daily budget and rejects a negative one', () => {
    expect(loadConfig(['--classifier-daily-budget', '2.50'], {}).classifierDailyBudget).toBe(2.5);
    expect(() => loadConfig([], { CHATMETER_CLASSIFIER_DAILY_BUDGET: '-1' })).toThrow(
      '--classifier-daily-budget (CHATMETER_CLASSIFIER_DAILY_BUDGET) must be an amount ≥ 0, e.g. 5 or 2.50, got "-1"',
    );
  });

  it('keeps events forever unless a retention in whole days is given', () => {
    expect(loadConfig([], {}).retentionDays).toBeUndefined();
    expect(loadConfig(['--retention-days', '90'], {}).retentionDays).toBe(90);
    expect(loadConfig([], { CHATMETER_RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    for (const bad of ['0', '1.5', 'forever']) {
      expect(() => loadConfig(['--retention-days', bad], {})).toThrow(
        `--retention-days (CHATMETER_RETENTION_DAYS) must be a whole number of days 1–36500 (leave it unset to keep events forever), got "${bad}"`,
      );
    }
  });
});
