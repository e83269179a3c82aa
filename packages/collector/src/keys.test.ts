import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { resolveKeys } from './keys.js';
import { SqliteStore } from './store/sqlite/index.js';

const LONG_WRITE_KEY = 'wk_live_0123456789abcdefghij';
const LONG_READ_KEY = 'rk_live_0123456789abcdefghij';
const PRODUCTION = { NODE_ENV: 'production' };

describe('resolveKeys', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore({ path: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('refuses in production a read key equal to a write key, naming the option', async () => {
    const config = loadConfig(['--write-key', LONG_WRITE_KEY, '--read-key', LONG_WRITE_KEY], PRODUCTION);
    await expect(resolveKeys(config, store)).rejects.toThrow(
      new ConfigError('--read-key (CHATMETER_READ_KEY) must differ from every write key'),
    );
  });

  it('refuses a read key equal to a write key in development too', async () => {
    const config = loadConfig(['--write-key', 'same_key_123', '--read-key', 'same_key_123'], {});
    await expect(resolveKeys(config, store)).rejects.toThrow('--read-key (CHATMETER_READ_KEY) must differ from every write key');
  });

  it('refuses in production a write key under 24 characters', async () => {
    const config = loadConfig(['--write-key', 'short_key', '--read-key', LONG_READ_KEY], PRODUCTION);
    await expect(resolveKeys(config, store)).rejects.toThrow(
      new ConfigError('--write-key (CHATMETER_WRITE_KEYS) must be at least 24 characters when NODE_ENV=production, got one of 9'),
    );
  });

  it('refuses in production a read key under 24 characters', async () => {
    const config = loadConfig([], { ...PRODUCTION, CHATMETER_WRITE_KEYS: LONG_WRITE_KEY, CHATMETER_READ_KEY: 'rk_12345678' });
    await expect(resolveKeys(config, store)).rejects.toThrow(
      new ConfigError('--read-key (CHATMETER_READ_KEY) must be at least 24 characters when NODE_ENV=production, got 11'),
    );
  });

  it('accepts short keys in development', async () => {
    const keys = await resolveKeys(loadConfig(['--write-key', 'dev_key_1', '--read-key', 'dev_key_2'], {}), store);
    expect(keys.writeKeys).toEqual([{ key: 'dev_key_1', dev: false }]);
    expect(keys.readKey).toBe('dev_key_2');
  });

  it('says a key was generated now only on the start that created it', async () => {
    const first = await resolveKeys(loadConfig([], {}), store);
    const second = await resolveKeys(loadConfig([], {}), store);
    expect([first.generated, first.generatedNow]).toEqual([true, true]);
    expect([second.generated, second.generatedNow]).toEqual([true, false]);
    expect(second.readKey).toBe(first.readKey);
    expect(second.writeKeys).toEqual(first.writeKeys);
  });

  it('gives /demo its own generated write key, kept across starts and unlike every other key', async () => {
    const first = await resolveKeys(loadConfig([], {}), store);
    const second = await resolveKeys(loadConfig([], {}), store);
    expect(first.demoWriteKey).toMatch(/^wk_demo_[0-9a-f]{32}$/);
    expect(second.demoWriteKey).toBe(first.demoWriteKey);
    expect(first.demoWriteKey).not.toBe(first.readKey);
    expect(first.writeKeys.map((writeKey) => writeKey.key)).not.toContain(first.demoWriteKey);
  });

  it('has no demo key in production unless --demo is given', async () => {
    const flags = ['--write-key', LONG_WRITE_KEY, '--read-key', LONG_READ_KEY];
    expect((await resolveKeys(loadConfig(flags, PRODUCTION), store)).demoWriteKey).toBeUndefined();
    const withDemo = await resolveKeys(loadConfig([...flags, '--demo'], PRODUCTION), store);
    expect(withDemo.demoWriteKey).toMatch(/^wk_demo_/);
    expect(withDemo.generatedNow).toBe(false);
  });

  describe('the admin key', () => {
    const LONG_ADMIN_KEY = 'ak_live_0123456789abcdefghij';

    it('is generated once in development and kept across starts, unlike the other keys', async () => {
      const first = await resolveKeys(loadConfig([], {}), store);
      const second = await resolveKeys(loadConfig([], {}), store);
      expect(first.adminKey).toMatch(/^ak_[0-9a-f]{32}$/);
      expect(second.adminKey).toBe(first.adminKey);
      expect([first.readKey, ...first.writeKeys.map((writeKey) => writeKey.key)]).not.toContain(first.adminKey);
    });

    it('is off in production unless configured', async () => {
      const flags = ['--write-key', LONG_WRITE_KEY, '--read-key', LONG_READ_KEY];
      expect((await resolveKeys(loadConfig(flags, PRODUCTION), store)).adminKey).toBeUndefined();
      expect((await resolveKeys(loadConfig([...flags, '--admin-key', LONG_ADMIN_KEY], PRODUCTION), store)).adminKey).toBe(LONG_ADMIN_KEY);
      expect((await resolveKeys(loadConfig(flags, { ...PRODUCTION, CHATMETER_ADMIN_KEY: LONG_ADMIN_KEY }), store)).adminKey).toBe(LONG_ADMIN_KEY);
    });

    it('is refused in production under 24 characters', async () => {
      const config = loadConfig(['--write-key', LONG_WRITE_KEY, '--read-key', LONG_READ_KEY, '--admin-key', 'ak_short_1'], PRODUCTION);
      await expect(resolveKeys(config, store)).rejects.toThrow(
        new ConfigError('--admin-key (CHATMETER_ADMIN_KEY) must be at least 24 characters when NODE_ENV=production, got 10'),
      );
    });

    it('must differ from every write key and from the read key', async () => {
      const sameAsWrite = loadConfig(['--write-key', 'shared_key_1', '--admin-key', 'shared_key_1'], {});
      await expect(resolveKeys(sameAsWrite, store)).rejects.toThrow(
        new ConfigError('--admin-key (CHATMETER_ADMIN_KEY) must differ from every write key'),
      );
      const sameAsRead = loadConfig(['--write-key', LONG_WRITE_KEY, '--read-key', LONG_READ_KEY, '--admin-key', LONG_READ_KEY], PRODUCTION);
      await expect(resolveKeys(sameAsRead, store)).rejects.toThrow(new ConfigError('--admin-key (CHATMETER_ADMIN_KEY) must differ from the read key'));
    });
  });
});
