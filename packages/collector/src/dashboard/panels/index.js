// Every panel of the dashboard, in page order. Each loads its own metrics
// (`load(fetchMetric, query, panel)`) and renders them; the page and the
// benchmark of the dashboard's first load both take the list from here.

import { activeConversationsPanel } from './active-conversations.js';
import { activeUsersPanel } from './active-users.js';
import { costDailyPanel } from './cost-daily.js';
import { costModelsPanel } from './cost-models.js';
import { costSegmentsPanel } from './cost-segments.js';
import { engagementPanel } from './engagement.js';
import { errorsPanel } from './errors.js';
import { intentFlowsPanel } from './intent-flows.js';
import { intentsPanel } from './intents.js';
import { kpisPanel } from './kpis.js';
import { latencyPanel } from './latency.js';
import { peakHoursPanel } from './peak-hours.js';
import { retentionPanel } from './retention.js';
import { satisfactionPanel } from './satisfaction.js';

export const PANELS = [
  kpisPanel,
  activeUsersPanel,
  activeConversationsPanel,
  engagementPanel,
  retentionPanel,
  intentsPanel,
  intentFlowsPanel,
  latencyPanel,
  errorsPanel,
  costDailyPanel,
  costModelsPanel,
  costSegmentsPanel,
  satisfactionPanel,
  peakHoursPanel,
];
