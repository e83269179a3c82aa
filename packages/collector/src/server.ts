import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { CollectorConfig } from './config.js';
import { resolveKeys, type ResolvedKeys } from './keys.js';
import { SqliteStore } from './store/sqlite/index.js';

export interface RunningCollector {
  url: string;
  keys: ResolvedKeys;
  store: SqliteStore;
  /** Stops accepting, finishes in-flight requests, closes the database. */
  close(): Promise<void>;
}

/** Opens the store, builds the app and listens. */
export async function startServer(config: CollectorConfig, logger: Logger): Promise<RunningCollector> {
  const store = new SqliteStore({ path: config.db });
  const keys = await resolveKeys(config, store);
  const app = createApp({
    store,
    writeKeys: keys.writeKeys,
    readKey: keys.readKey,
    corsOrigins: config.corsOrigins,
    logger,
  });
  const server = await listen(app, config.port, config.host);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, db: config.db }, 'listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets hold close() open: drop each one as soon as its
        // in-flight request is answered, and give up on stragglers after 10 s.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
        server.once('close', () => {
          clearInterval(sweep);
          clearTimeout(deadline);
        });
        server.closeIdleConnections();
      });
      await store.close();
      logger.info('closed');
    })();
    return closing;
  };
  return { url, keys, store, close };
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
