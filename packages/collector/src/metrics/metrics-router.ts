import { Router, type Response } from 'express';
import { z } from 'zod';
import { HttpError } from '../http/http-error.js';
import { activeConversationsMetric } from './active-conversations.js';
import { activeUsersMetric } from './active-users.js';
import { classificationMetric } from './classification.js';
import { conversationsMetric } from './conversations.js';
import { costMetric } from './cost.js';
import { toCsv } from './csv.js';
import { deliveryMetric } from './delivery.js';
import { errorsMetric } from './errors.js';
import { intentFlowsMetric } from './intent-flows.js';
import { intentsMetric } from './intents.js';
import { latencyMetric } from './latency.js';
import type { MetricAnswer, MetricEndpoint } from './metric-endpoint.js';
import { parseMetricQuery } from './metric-params.js';
import type { MetricsQueries } from './metrics-queries.js';
import { peakHoursMetric } from './peak-hours.js';
import { reportMetric } from './report.js';
import { retentionMetric } from './retention.js';
import { describeSession } from './session-detail.js';
import { satisfactionMetric } from './satisfaction.js';
import { sessionsMetric } from './sessions.js';

/** Every `GET /v1/metrics/<path>`; `sessions/:id` is routed on its own. */
export const METRIC_ENDPOINTS: readonly MetricEndpoint[] = [
  activeUsersMetric,
  retentionMetric,
  sessionsMetric,
  conversationsMetric,
  intentsMetric,
  classificationMetric,
  latencyMetric,
  costMetric,
  errorsMetric,
  satisfactionMetric,
  peakHoursMetric,
  intentFlowsMetric,
  activeConversationsMetric,
  deliveryMetric,
  reportMetric,
] as MetricEndpoint[];

export interface MetricsRouterOptions {
  queries: MetricsQueries;
  /** Epoch ms; decides "today" and "the last N minutes". */
  now: () => number;
}

/**
 * The metric endpoints, mounted at `/v1/metrics` behind the read key.
 * Each request: parse the query (400 naming a bad parameter) → compute →
 * JSON, or CSV with `format=csv`.
 */
export function createMetricsRouter(options: MetricsRouterOptions): Router {
  const router = Router();
  for (const metric of METRIC_ENDPOINTS) {
    router.get(`/${metric.path}`, async (request, response) => {
      const now = options.now();
      const parsed = parseMetricQuery(request.query, { metric: metric.path, filters: metric.filters, params: metric.params, now });
      const answer = await metric.compute({ queries: options.queries, scope: parsed.scope, params: parsed.params, now });
      send(response, metric.path, answer, parsed.format);
    });
  }
  router.get('/sessions/:sessionId', async (request, response) => {
    const parsed = parseMetricQuery(request.query, { metric: 'sessions/:id', filters: [], params: z.object({}), now: options.now() });
    const sessionId = request.params.sessionId;
    const answer = await describeSession(options.queries, sessionId, parsed.scope.includeDebug);
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
