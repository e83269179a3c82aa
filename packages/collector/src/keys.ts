import { randomBytes } from 'node:crypto';
import type { CollectorConfig, WriteKey } from './config.js';
import { ConfigError } from './config.js';
import type { SettingsStore } from './store/settings-store.js';

/**
 * 24 characters: a key of A-Z a-z 0-9 _ . - that long carries over 140 bits,
 * out of reach of guessing over HTTP; 8 (the general minimum) is guessable.
 */
export const MIN_PRODUCTION_KEY_LENGTH = 24;

/** Settings rows that hold generated keys, in plaintext (development; see README). */
export const KEY_SETTINGS = {
  writeKey: 'dev_write_key',
  readKey: 'dev_read_key',
  demoWriteKey: 'demo_write_key',
  adminKey: 'dev_admin_key',
} as const;

export interface ResolvedKeys {
  writeKeys: WriteKey[];
  readKey: string;
  /**
   * Opens the admin routes (the raw event export). Generated in development
   * like the others; in production only when configured: without it the
   * admin routes are off, so an upgrade never opens them by itself.
   */
  adminKey: string | undefined;
  /** The write key of the public `/demo` page (ingest only); undefined when `/demo` is off. */
  demoWriteKey: string | undefined;
  /** True when the write or read key comes from the settings table rather than configuration. */
  generated: boolean;
  /** True only on the start that created a key: it is shown once, then found with `chatmeter-collector keys`. */
  generatedNow: boolean;
}

/**
 * Keys from configuration; in development, missing keys are generated once
 * and kept in the database, so a restart keeps the same dashboard login.
 * In production (NODE_ENV=production) missing, short or shared keys stop start-up.
 * The demo page's key is always generated: it is public, so it must never be
 * a key the operator uses.
 */
export async function resolveKeys(config: CollectorConfig, store: SettingsStore): Promise<ResolvedKeys> {
  checkKeyPolicy(config);
  const created: string[] = [];
  const keyFromSettings = async (setting: string, prefix: string): Promise<string> => {
    const existing = await store.getSetting(setting);
    if (existing !== null) return existing;
    const key = prefix + randomBytes(16).toString('hex');
    await store.setSetting(setting, key);
    created.push(setting);
    return key;
  };
  let generated = false;
  let writeKeys = config.writeKeys;
  if (writeKeys.length === 0) {
    writeKeys = [{ key: await keyFromSettings(KEY_SETTINGS.writeKey, 'wk_'), dev: false }];
    generated = true;
  }
  let readKey = config.readKey;
  if (readKey === undefined) {
    readKey = await keyFromSettings(KEY_SETTINGS.readKey, 'rk_');
    generated = true;
  }
  let adminKey = config.adminKey;
  if (adminKey === undefined && !config.production) {
    adminKey = await keyFromSettings(KEY_SETTINGS.adminKey, 'ak_');
    generated = true;
  }
  const demoWriteKey = config.demo ? await keyFromSettings(KEY_SETTINGS.demoWriteKey, 'wk_demo_') : undefined;
  const generatedNow = [KEY_SETTINGS.writeKey, KEY_SETTINGS.readKey, KEY_SETTINGS.adminKey].some((setting) => created.includes(setting));
  return { writeKeys, readKey, adminKey, demoWriteKey, generated, generatedNow };
}

/**
 * Rules on configured keys. The read key opens every metric, while write
 * keys ship in web pages: one key for both would let any visitor read.
 * Production also needs keys long enough not to be guessed.
 */
export function checkKeyPolicy(config: CollectorConfig): void {
  if (config.production && (config.writeKeys.length === 0 || config.readKey === undefined)) {
    throw new ConfigError('--write-key (CHATMETER_WRITE_KEYS) and --read-key (CHATMETER_READ_KEY) are required when NODE_ENV=production');
  }
  if (config.readKey !== undefined && config.writeKeys.some((writeKey) => writeKey.key === config.readKey)) {
    throw new ConfigError('--read-key (CHATMETER_READ_KEY) must differ from every write key');
  }
  // The admin key exports every user's events: it must not be a key that ships in pages or opens the dashboard.
  if (config.adminKey !== undefined && config.writeKeys.some((writeKey) => writeKey.key === config.adminKey)) {
    throw new ConfigError('--admin-key (CHATMETER_ADMIN_KEY) must differ from every write key');
  }
  if (config.adminKey !== undefined && config.adminKey === config.readKey) {
    throw new ConfigError('--admin-key (CHATMETER_ADMIN_KEY) must differ from the read key');
  }
  if (!config.production) return;
  const shortWriteKey = config.writeKeys.find((writeKey) => writeKey.key.length < MIN_PRODUCTION_KEY_LENGTH);
  if (shortWriteKey !== undefined) {
    throw new ConfigError(
      `--write-key (CHATMETER_WRITE_KEYS) must be at least ${MIN_PRODUCTION_KEY_LENGTH} characters when NODE_ENV=production, got one of ${shortWriteKey.key.length}`,
    );
  }
  if (config.readKey !== undefined && config.readKey.length < MIN_PRODUCTION_KEY_LENGTH) {
    throw new ConfigError(
      `--read-key (CHATMETER_READ_KEY) must be at least ${MIN_PRODUCTION_KEY_LENGTH} characters when NODE_ENV=production, got ${config.readKey.length}`,
    );
  }
  if (config.adminKey !== undefined && config.adminKey.length < MIN_PRODUCTION_KEY_LENGTH) {
    throw new ConfigError(
      `--admin-key (CHATMETER_ADMIN_KEY) must be at least ${MIN_PRODUCTION_KEY_LENGTH} characters when NODE_ENV=production, got ${config.adminKey.length}`,
    );
  }
}
