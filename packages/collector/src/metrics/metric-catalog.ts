import { activeConversationsMetric } from './active-conversations.js';
import { activeUsersMetric } from './active-users.js';
import { classificationMetric } from './classification.js';
import { conversationsMetric } from './conversations.js';
import { costMetric } from './cost.js';
import { deliveryMetric } from './delivery.js';
import { errorsMetric } from './errors.js';
import { excludedTrafficMetric } from './excluded-traffic.js';
import { intentFlowsMetric } from './intent-flows.js';
import { intentsMetric } from './intents.js';
import { latencyMetric } from './latency.js';
import type { MetricEndpoint } from './metric-endpoint.js';
import { peakHoursMetric } from './peak-hours.js';
import { reportMetric } from './report.js';
import { retentionMetric } from './retention.js';
import { satisfactionMetric } from './satisfaction.js';
import { sessionsMetric } from './sessions.js';

/**
 * Every metric served as `GET /v1/metrics/<path>`, in the order the docs
 * list them; one session (`sessions/:id`, session-detail.ts) is served on its own.
 */
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
  excludedTrafficMetric,
  reportMetric,
] as MetricEndpoint[];
