import { Router } from 'express';
import type { ReadinessReport } from '../health/readiness.js';

/**
 * `GET /healthz` (liveness: the process answers; restart it when this
 * fails) and `GET /readyz` (readiness: 200 when it can take traffic, 503
 * with the failing checks and their reasons when not).
 */
export function createHealthRouter(readiness: () => Promise<ReadinessReport>): Router {
  const router = Router();
  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  router.get('/readyz', async (_request, response) => {
    const report = await readiness();
    response.set('Cache-Control', 'no-store');
    response.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  });
  return router;
}
