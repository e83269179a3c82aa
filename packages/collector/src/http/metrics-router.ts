import { Router, type Response } from 'express';
import { z } from 'zod';
import { toCsv } from '../metrics/csv.js';
import { METRIC_ENDPOINTS } from '../metrics/metric-catalog.js';
import type { MetricAnswer } from '../metrics/metric-endpoint.js';
import { parseMetricQuery } from '../metrics/metric-params.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { describeSession } from '../metrics/session-detail.js';
import { HttpError } from './http-error.js';

export interface MetricsRouterOptions {
  source: MetricsSource;
  /** Epoch ms; decides "today" and "the last N minutes". */
  now: () => number;
  /** The LLM classifier's daily budget, reported by the classification metric. */
  classifierDailyBudget?: number | undefined;
}

/**
 * The metric endpoints, mounted at `/v1/metrics` behind the read key.
 * Each request: parse the query (a MetricParameterError, which the error
 * handler answers with a 400 naming the parameter) → compute → JSON, or CSV
 * with `format=csv`.
 */
export function createMetricsRouter(options: MetricsRouterOptions): Router {
  const router = Router();
  for (const metric of METRIC_ENDPOINTS) {
    router.get(`/${metric.path}`, async (request, response) => {
      const now = options.now();
      const parsed = parseMetricQuery(request.query, { metric: metric.path, filters: metric.filters, params: metric.params, now });
      const answer = await metric.compute({
        source: options.source, scope: parsed.scope, params: parsed.params, now, classifierDailyBudget: options.classifierDailyBudget,
      });
      send(response, metric.path, answer, parsed.format);
    });
  }
  router.get('/sessions/:sessionId', async (request, response) => {
    const parsed = parseMetricQuery(request.query, { metric: 'sessions/:id', filters: [], params: z.object({}), now: options.now() });
    const sessionId = request.params.sessionId;
    const answer = await describeSession(options.source, sessionId, parsed.scope);
    if (answer === null) throw new HttpError(404, 'session_not_found', `no prompt or response carries sessionId "${sessionId}"`);
    send(response, 'session', answer, parsed.format);
  });
  return router;
}

function send(response: Response, name: string, answer: MetricAnswer, format: 'json' | 'csv'): void {
  // Metrics describe users' behaviour: keep them out of shared caches.
  response.set('Cache-Control', 'no-store');
  if (format === 'csv') {
    response.type('text/csv; charset=utf-8');
    response.set('Content-Disposition', `attachment; filename="${name}.csv"`);
    response.send(toCsv(answer.csv));
    return;
  }
  response.json(answer.body);
}
