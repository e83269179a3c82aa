import { randomBytes } from 'node:crypto';
import type { CollectorConfig, WriteKey } from './config.js';
import { ConfigError } from './config.js';
import type { Store } from './store/store.js';

export interface ResolvedKeys {
  writeKeys: WriteKey[];
  readKey: string;
  /** True when keys were generated (or loaded from a previous generation) for development. */
  generated: boolean;
}

/**
 * Keys from configuration; in development, missing keys are generated once
 * and kept in the database, so a restart keeps the same dashboard login.
 * In production (NODE_ENV=production) missing keys stop start-up.
 */
export async function resolveKeys(config: CollectorConfig, store: Store): Promise<ResolvedKeys> {
  if (config.production && (config.writeKeys.length === 0 || config.readKey === undefined)) {
    throw new ConfigError('--write-key (CHATMETER_WRITE_KEYS) and --read-key (CHATMETER_READ_KEY) are required when NODE_ENV=production');
  }
  let generated = false;
  let writeKeys = config.writeKeys;
  if (writeKeys.length === 0) {
    writeKeys = [{ key: await storedOrNew(store, 'dev_write_key', 'wk_'), dev: false }];
    generated = true;
  }
  let readKey = config.readKey;
  if (readKey === undefined) {
    readKey = await storedOrNew(store, 'dev_read_key', 'rk_');
    generated = true;
  }
  return { writeKeys, readKey, generated };
}

async function storedOrNew(store: Store, setting: string, prefix: string): Promise<string> {
  const existing = await store.getSetting(setting);
  if (existing !== null) return existing;
  const key = prefix + randomBytes(16).toString('hex');
  await store.setSetting(setting, key);
  return key;
}
