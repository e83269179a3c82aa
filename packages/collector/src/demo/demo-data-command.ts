import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { DEMO_DEFAULTS } from './demo-settings.js';
import { loadDemoData } from './load-demo-data.js';
import { createProgressReporter, formatCount, type ProgressStream } from './progress.js';

export const DEMO_DATA_USAGE = `usage: chatmeter-collector demo-data [options]

Posts realistic, reproducible demo traffic (no prompt texts) to a running collector.

options:
  --users N          people in the demo            default ${DEMO_DEFAULTS.users}
  --days N           length of the period          default ${DEMO_DEFAULTS.days} (ending now)
  --seed N           same seed, same events        default ${DEMO_DEFAULTS.seed}
  --url URL          the collector                 default http://127.0.0.1:8787
  --write-key KEY    a write key of the collector  default: first of CHATMETER_WRITE_KEYS
`;

export interface DemoDataArgs {
  users: number;
  days: number;
  seed: number;
  url: string;
  writeKey: string;
}

const LIMITS = {
  users: { min: 1, max: 100_000 },
  days: { min: 1, max: 3_650 },
  seed: { min: 0, max: 0xffffffff },
} as const;

/** Parses and checks the flags; every problem is a ConfigError naming the flag. */
export function parseDemoDataArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): DemoDataArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        users: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        url: { type: 'string' },
        'write-key': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ConfigError(`demo-data: ${error instanceof Error ? error.message : String(error)}`);
  }
  const writeKey = asString(values['write-key']) ?? firstWriteKey(env['CHATMETER_WRITE_KEYS']);
  if (writeKey === undefined) {
    throw new ConfigError('demo-data: --write-key is required (the write key the collector printed at start, or set CHATMETER_WRITE_KEYS)');
  }
  if (!/^[A-Za-z0-9_.-]{8,128}$/.test(writeKey)) {
    throw new ConfigError(`demo-data: --write-key must be 8–128 characters of A-Z a-z 0-9 _ . -, got ${JSON.stringify(writeKey)}`);
  }
  return {
    users: integerFlag('users', asString(values['users']), DEMO_DEFAULTS.users),
    days: integerFlag('days', asString(values['days']), DEMO_DEFAULTS.days),
    seed: integerFlag('seed', asString(values['seed']), DEMO_DEFAULTS.seed),
    url: urlFlag(asString(values['url']) ?? 'http://127.0.0.1:8787'),
    writeKey,
  };
}

/** The `demo-data` command: load, show progress on stderr, summarise on stdout. */
export async function runDemoData(
  args: readonly string[],
  io: { stdout?: ProgressStream; stderr?: ProgressStream; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  if (args.includes('--help') || args.includes('-h')) {
    stdout.write(DEMO_DATA_USAGE);
    return;
  }
  const { users, days, seed, url, writeKey } = parseDemoDataArgs(args, io.env);
  stderr.write(`loading demo data into ${url}: ${formatCount(users)} users, ${days} days, seed ${seed}\n`);
  const progress = createProgressReporter({ stream: stderr });
  try {
    const result = await loadDemoData({
      url,
      writeKey,
      users,
      days,
      seed,
      onProgress: ({ sent, total }) => progress.update(sent, total),
    });
    progress.finish();
    const seconds = result.elapsedMs / 1000;
    const already = result.duplicates > 0 ? ` (${formatCount(result.duplicates)} were already stored)` : '';
    stdout.write(
      `loaded ${formatCount(result.events)} demo events${already} in ${seconds.toFixed(1)}s ` +
        `(${formatCount(Math.round(result.events / seconds))} ev/s); see ${url.replace(/\/+$/, '')}/dashboard\n`,
    );
  } catch (error) {
    // End the bar's line so the error starts on its own.
    if (stderr.isTTY === true) stderr.write('\n');
    throw error;
  }
}

function integerFlag(name: keyof typeof LIMITS, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const { min, max } = LIMITS[name];
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`demo-data: --${name} must be an integer ${formatCount(min)}–${formatCount(max)}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function urlFlag(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`demo-data: --url must be an http(s) URL like http://127.0.0.1:8787, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** The collector's own key list, so `demo-data` works in the shell that started it. */
function firstWriteKey(list: string | undefined): string | undefined {
  const first = list?.split(',').map((item) => item.trim()).find((item) => item !== '');
  return first?.replace(/:dev$/, '');
}

function asString(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
