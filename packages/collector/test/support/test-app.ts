import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, type AppOptions } from '../../src/app.js';
import type { WriteKey } from '../../src/config.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';
import { createSqliteTestStore, sqliteTestPath, type StoreFactory } from './store-factory.js';

export const WRITE_KEY = 'test_write_key';
export const DEV_WRITE_KEY = 'test_dev_write_key';
export const READ_KEY = 'test_read_key';
export const DEMO_WRITE_KEY = 'test_demo_write_key';

export interface TestApp<S extends Store = SqliteStore> {
  url: string;
  store: S;
  /** The app's temporary directory (readiness watches its disk); removed on close. */
  directory: string;
  /** The SQLite file, when the engine is the default SQLite one. */
  dbPath: string;
  /** POSTs JSON with the write key as HTTP Basic user unless `auth: false`. */
  post(path: string, body: unknown, options?: PostOptions): Promise<{ status: number; body: any }>;
  /** GETs with the read key as Bearer token unless `auth: false`. */
  get(path: string, options?: { auth?: boolean }): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export interface PostOptions {
  auth?: boolean;
  writeKey?: string;
  contentType?: string;
  rawBody?: string;
}

/**
 * The real Express app over HTTP on an ephemeral port with a fresh store:
 * `createStore` picks the engine (a fresh SQLite file unless given).
 */
export async function startTestApp<S extends Store = SqliteStore>(
  options: {
    createStore?: StoreFactory<S>;
    now?: () => number;
    writeKeys?: WriteKey[];
    demoWriteKey?: string;
    readiness?: AppOptions['readiness'];
    corsOrigins?: string[];
    appOptions?: Partial<AppOptions>;
  } = {},
): Promise<TestApp<S>> {
  const directory = mkdtempSync(join(tmpdir(), 'chatmeter-test-'));
  // Without a factory S is its default, SqliteStore, which is what the default factory opens.
  const createStore = options.createStore ?? (createSqliteTestStore as unknown as StoreFactory<S>);
  const store = await createStore(directory);
  const app = createApp({
    store,
    writeKeys: options.writeKeys ?? [
      { key: WRITE_KEY, dev: false },
      { key: DEV_WRITE_KEY, dev: true },
    ],
    readKey: READ_KEY,
    logger: pino({ level: 'silent' }),
    demoWriteKey: options.demoWriteKey ?? DEMO_WRITE_KEY,
    readiness: options.readiness ?? { dataDirectory: directory },
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
    ...options.appOptions,
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    directory,
    dbPath: sqliteTestPath(directory),
    async post(path, body, postOptions = {}) {
      const headers: Record<string, string> = { 'content-type': postOptions.contentType ?? 'application/json' };
      if (postOptions.auth !== false) {
        headers['authorization'] = `Basic ${Buffer.from(`${postOptions.writeKey ?? WRITE_KEY}:`).toString('base64')}`;
      }
      const response = await fetch(url + path, { method: 'POST', headers, body: postOptions.rawBody ?? JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : JSON.parse(text) };
    },
    async get(path, getOptions = {}) {
      const headers: Record<string, string> = getOptions.auth === false ? {} : { authorization: `Bearer ${READ_KEY}` };
      const response = await fetch(url + path, { headers });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      return { status: response.status, body, text, headers: response.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
