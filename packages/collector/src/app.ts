import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { WriteKey } from './config.js';
import { createReadiness, type ReadinessOptions } from './health/readiness.js';
import { authenticateAdminKey, authenticateReadKey } from './http/auth.js';
import { createCors } from './http/cors.js';
import { createDashboardRouter } from './http/dashboard-router.js';
import { createDemoRouter } from './http/demo-router.js';
import { createErrorHandler } from './http/error-handler.js';
import { createExportRouter } from './http/export-router.js';
import { createHealthRouter } from './http/health-router.js';
import { HttpError } from './http/http-error.js';
import { createIngestRouter } from './http/ingest-router.js';
import { createTrafficClassifier } from './ingest/traffic-class.js';
import type { IntentClassifier } from './intent/classifier.js';
import { createRateLimits, type RateLimitOptions } from './http/rate-limit.js';
import { createRequestLog } from './http/request-log.js';
import { createSdkRouter } from './http/sdk-router.js';
import { securityHeaders } from './http/security-headers.js';
import { createMetricsRouter } from './http/metrics-router.js';
import { createUserErasureRouter } from './http/user-erasure-router.js';
import type { Store } from './store/store.js';

export interface AppOptions {
  store: Store;
  writeKeys: readonly WriteKey[];
  readKey: string;
  /**
   * Opens the admin routes (`/v1/export`, `DELETE /v1/users/:userId`) with
   * `Authorization: Bearer <adminKey>`; without it they answer 404.
   */
  adminKey?: string | undefined;
  /** `--classifier-daily-budget`: the classification metric reports today's spend against it. */
  classifierDailyBudget?: number | undefined;
  corsOrigins?: readonly string[];
  logger: Logger;
  /** Requests per second per write key and per client IP on the API; off unless given (the CLI sets defaults). */
  rateLimits?: Omit<RateLimitOptions, 'now'>;
  /** Injected clock (epoch ms) so tests can pin receivedAt. */
  now?: () => number;
  /**
   * The write key the public `/demo` page embeds: accepted for ingest only,
   * never one of `writeKeys`. Without it `/demo` answers 404.
   */
  demoWriteKey?: string | undefined;
  /** Thresholds of `/readyz` (data directory, free disk, queue age). */
  readiness?: Omit<ReadinessOptions, 'store' | 'logger' | 'now'>;
  /**
   * Classifies prompts during ingest so their texts are never stored, not
   * even queued. Only for a local, fast classifier (the built-in one; see
   * `ingestClassifierFor`); without it prompt texts wait in the queue for
   * the background worker.
   */
  inlineClassifier?: IntentClassifier | undefined;
  /**
   * `--internal-users`: user ids or emails (`*` wildcards) whose traffic is
   * internal and left out of the metrics by default, as `internal: true`
   * traits are. Bots are told without any setting.
   */
  internalUsers?: readonly string[] | undefined;
}

/**
 * Builds the Express app. It never listens: `server.ts` does, and tests
 * drive the app on an ephemeral port.
 */
export function createApp(options: AppOptions): Express {
  const app = express();
  const now = options.now ?? Date.now;
  const corsOrigins = options.corsOrigins ?? [];
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(createRequestLog(options.logger));
  app.use(securityHeaders);

  app.use(createHealthRouter(createReadiness({ ...options.readiness, store: options.store, logger: options.logger, now })));
  app.use(createSdkRouter());
  app.use(createDashboardRouter());
  if (options.demoWriteKey !== undefined) app.use(createDemoRouter(options.demoWriteKey));
  const ingestKeys: readonly WriteKey[] =
    options.demoWriteKey === undefined ? options.writeKeys : [...options.writeKeys, { key: options.demoWriteKey, dev: false }];
  // Ingest accepts any origin unless an allowlist is set; metric reads
  // (read key) only the listed origins. Each policy is mounted with the
  // routes it guards: Express matches paths case-insensitively, so whatever
  // reaches the metrics router got the read policy, whatever its spelling.
  const writeCors = createCors(corsOrigins, { anyOriginWhenUnset: true });
  const readCors = createCors(corsOrigins, { anyOriginWhenUnset: false });
  // Limits run after CORS so a browser can read the 429 and its Retry-After.
  const rateLimits = createRateLimits({ perWriteKey: 0, perIp: 0, ...options.rateLimits });
  app.use(
    createIngestRouter({
      store: options.store,
      writeKeys: () => ingestKeys,
      now,
      cors: writeCors,
      limitAddress: rateLimits.byIp,
      limitWriteKey: rateLimits.byWriteKey,
      classification: options.inlineClassifier === undefined ? undefined : { classifier: options.inlineClassifier, logger: options.logger },
      classifyTraffic: createTrafficClassifier({ internalUsers: options.internalUsers ?? [] }),
    }),
  );
  app.use('/v1/metrics', readCors, rateLimits.byIp, (request, _response, next) => {
    authenticateReadKey(request, options.readKey);
    next();
  });
  app.use('/v1/metrics', createMetricsRouter({ source: options.store.metrics, now, classifierDailyBudget: options.classifierDailyBudget }));
  // Admin routes: no CORS (no browser page needs them), the admin key only.
  const adminKey = options.adminKey;
  const admin = [
    rateLimits.byIp,
    (request: express.Request, _response: express.Response, next: express.NextFunction) => {
      if (adminKey === undefined) {
        throw new HttpError(404, 'admin_routes_off', 'admin routes are off: start the collector with --admin-key (CHATMETER_ADMIN_KEY)');
      }
      authenticateAdminKey(request, { adminKey, readKey: options.readKey });
      next();
    },
  ];
  app.use('/v1/export', ...admin, createExportRouter({ source: options.store }));
  app.use('/v1/users', ...admin, createUserErasureRouter({ lifecycle: options.store }));

  app.use((request, _response, next) => {
    next(new HttpError(404, 'not_found', `no route for ${request.method} ${request.path}`));
  });
  app.use(createErrorHandler(options.logger));
  return app;
}
