import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { parseDemoDataArgs } from './demo-data-command.js';

describe('demo-data flags', () => {
  it('has defaults for everything but the write key', () => {
    expect(parseDemoDataArgs(['--write-key', 'wk_12345678'], {})).toEqual({
      users: 2000, days: 90, seed: 42, url: 'http://127.0.0.1:8787', writeKey: 'wk_12345678',
    });
  });

  it('takes the write key from CHATMETER_WRITE_KEYS when no flag is given', () => {
    expect(parseDemoDataArgs([], { CHATMETER_WRITE_KEYS: 'wk_devkey123:dev,wk_other123' }).writeKey).toBe('wk_devkey123');
  });

  it.each([
    [['--users', '0'], /--users must be an integer 1–100,000, got "0"/],
    [['--days', '1.5'], /--days must be an integer/],
    [['--seed=-3'], /--seed must be an integer/],
    [['--url', 'ftp://host'], /--url must be an http\(s\) URL/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with a clear message', (args, message) => {
    const parse = (): unknown => parseDemoDataArgs([...args, '--write-key', 'wk_12345678'], {});
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(message);
  });

  it('requires a write key', () => {
    expect(() => parseDemoDataArgs([], {})).toThrow(/--write-key is required/);
  });
});
