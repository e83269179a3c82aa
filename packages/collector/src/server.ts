import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { createHttpServer } from './http/http-server.js';
import { startClassificationWorker, type ClassificationWorker } from './classification/classification-worker.js';
import { createBuiltinClassifier } from './intent/builtin-classifier.js';
import { createSamplingPolicy } from './intent/sampling.js';
import { ingestClassifierFor, selectClassifier } from './intent/select-classifier.js';
import { loadTaxonomy } from './intent/taxonomy.js';
import type { CollectorConfig } from './config.js';
import { checkKeyPolicy, resolveKeys, type ResolvedKeys } from './keys.js';
import { startRetentionJob } from './lifecycle/retention-job.js';
import { describeStore, localDataDirectory, openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export interface RunningCollector {
  url: string;
  keys: ResolvedKeys;
  /** The configured engine (SQLite by default, ClickHouse with `--store clickhouse`). */
  store: Store;
  /** The background intent classifier; `drain()` waits for the queue to empty. */
  classification: ClassificationWorker;
  /** Stops accepting, finishes in-flight requests, closes the database. */
  close(): Promise<void>;
}

/** Opens the store, builds the app and listens. */
export async function startServer(config: CollectorConfig, logger: Logger): Promise<RunningCollector> {
  // Invalid keys, taxonomy or classifier settings fail start-up before anything is opened.
  checkKeyPolicy(config);
  const taxonomy = loadTaxonomy(config.intents);
  const classifier = selectClassifier(taxonomy, config);
  const inlineClassifier = ingestClassifierFor(classifier);
  const store = await openStore(config);
  let keys: ResolvedKeys;
  let server: Server;
  try {
    keys = await resolveKeys(config, store);
    const app = createApp({
      store,
      writeKeys: keys.writeKeys,
      readKey: keys.readKey,
      adminKey: keys.adminKey,
      classifierDailyBudget: config.classifierDailyBudget,
      corsOrigins: config.corsOrigins,
      rateLimits: { perWriteKey: config.rateLimitPerKey, perIp: config.rateLimitPerIp },
      logger,
      demoWriteKey: keys.demoWriteKey,
      readiness: {
        dataDirectory: localDataDirectory(config),
        minFreeDiskBytes: config.minFreeDiskMb * 1024 * 1024,
      },
      inlineClassifier,
      internalUsers: config.internalUsers,
    });
    server = await listen(createHttpServer(app, config), config.port, config.host);
  } catch (error) {
    // A port in use (or a key that cannot be stored) must not leave the database open behind the error.
    // The start's own error is the one to report, even if closing fails too.
    await store.close().catch(() => undefined);
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  // The worker still drains what the queue holds: every prompt with an LLM
  // classifier, and prompts queued before a switch to the built-in one.
  // Sampling bounds LLM cost; the built-in classifier classifies every prompt.
  const classification = startClassificationWorker({
    queue: store,
    classifier,
    isSampled:
      inlineClassifier === undefined
        ? createSamplingPolicy({
            rate: config.sampleRate,
            alwaysClassifyPlans: config.alwaysClassifyPlans,
            peak: config.peakHours === undefined || config.peakSampleRate === undefined ? undefined : { ...config.peakHours, rate: config.peakSampleRate },
          })
        : () => true,
    // The built-in classifier costs nothing, so a budget only ever caps an LLM classifier.
    budget:
      config.classifierDailyBudget === undefined || inlineClassifier !== undefined
        ? undefined
        : { dailyLimit: config.classifierDailyBudget, fallback: createBuiltinClassifier(taxonomy) },
    logger,
  });
  // --retention-days: old events leave in the background, batch by batch, while ingest goes on.
  const retention =
    config.retentionDays === undefined ? undefined : startRetentionJob({ lifecycle: store, retentionDays: config.retentionDays, logger });
  logger.info(
    {
      url,
      ...(config.store === 'sqlite' ? { db: config.db } : { store: describeStore(config) }),
      classifier: classifier.name,
      retentionDays: config.retentionDays ?? null,
    },
    'listening',
  );

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
      await classification.stop();
      await retention?.stop();
      await store.close();
      logger.info('closed');
    })();
    return closing;
  };
  return { url, keys, store, classification, close };
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
