import type { MetricScope, TrafficInclusion } from '../../../metrics/metric-scope.js';
import type {
  Breakdown,
  BrokenDown,
  ClassificationTotals,
  CohortActivity,
  CohortKind,
  ConversationTotals,
  CostGroup,
  CostGrouping,
  DailyActiveUsers,
  DeliveryTotals,
  ExcludedUsers,
  ErrorGroup,
  IntentFlow,
  KeyedCount,
  LatencyGroup,
  LatencyGrouping,
  LiveConversations,
  MetricsSource,
  QuarterHourCount,
  ResponseMeasure,
  SatisfactionGroup,
  SessionDetail,
  SessionTotals,
  UserConversations,
} from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import type { LocalPromptQueue } from '../local-prompt-queue.js';
import { activeUsers, activeUsersByValue } from './activity-queries.js';
import { conversationsByUser, conversationTotals } from './conversation-queries.js';
import { delivery } from './delivery-queries.js';
import { satisfaction } from './feedback-queries.js';
import { conversationIntents, intentFlowEnds, intentFlows, type ConversationIntents } from './intent-flow-queries.js';
import { classification, classifierSpendOn, intentCounts } from './intent-queries.js';
import { activeConversations } from './live-queries.js';
import { promptsByQuarterHour } from './prompt-hour-queries.js';
import { cost, errors, latency } from './response-queries.js';
import { retention, retentionByValue } from './retention-queries.js';
import { sessionById, sessionTotals } from './session-queries.js';
import { excludedUsers } from './traffic-queries.js';
import { usersByValue } from './breakdown-queries.js';

/**
 * Metric queries over the ClickHouse store. Every query reads the events
 * through `eventRowsSql` (duplicates folded, identity, intents and feedback
 * models resolved at query time), groups by what ClickHouse can group
 * exactly (users, local days from the zone's DST segments, keys) and leaves
 * to TypeScript only what must be exact and ClickHouse computes
 * approximately or not at all (interpolated percentiles, WAU/MAU windows,
 * consecutive prompts).
 */
export class ClickHouseMetrics implements MetricsSource {
  readonly #connection: ClickHouseConnection;
  readonly #tables: ClickHouseTables;
  readonly #queue: LocalPromptQueue;
  /**
   * The intent-flows metric asks for flows and flow ends of the same scope
   * object at once: both come from one query per scope (held only as long as
   * the scope object lives, so never across requests).
   */
  readonly #conversationIntents = new WeakMap<MetricScope, Promise<ConversationIntents>>();

  constructor(connection: ClickHouseConnection, tables: ClickHouseTables, queue: LocalPromptQueue) {
    this.#connection = connection;
    this.#tables = tables;
    this.#queue = queue;
  }

  activeUsers(scope: MetricScope): Promise<DailyActiveUsers[]> {
    return activeUsers(this.#connection, this.#tables, scope);
  }

  retention(scope: MetricScope, cohort: CohortKind, offsets: readonly number[]): Promise<CohortActivity[]> {
    return retention(this.#connection, this.#tables, scope, cohort, offsets);
  }

  usersByValue(scope: MetricScope, breakdown: Breakdown): Promise<KeyedCount[]> {
    return usersByValue(this.#connection, this.#tables, scope, breakdown);
  }

  activeUsersByValue(scope: MetricScope, breakdown: Breakdown): Promise<BrokenDown<DailyActiveUsers[]>[]> {
    return activeUsersByValue(this.#connection, this.#tables, scope, breakdown);
  }

  retentionByValue(scope: MetricScope, breakdown: Breakdown, cohort: CohortKind, offsets: readonly number[]): Promise<BrokenDown<CohortActivity[]>[]> {
    return retentionByValue(this.#connection, this.#tables, scope, breakdown, cohort, offsets);
  }

  sessionTotals(scope: MetricScope): Promise<SessionTotals> {
    return sessionTotals(this.#connection, this.#tables, scope);
  }

  sessionById(sessionId: string, traffic: TrafficInclusion): Promise<SessionDetail | null> {
    return sessionById(this.#connection, this.#tables, sessionId, traffic);
  }

  conversationTotals(scope: MetricScope): Promise<ConversationTotals> {
    return conversationTotals(this.#connection, this.#tables, scope);
  }

  conversationsByUser(scope: MetricScope, limit: number): Promise<UserConversations[]> {
    return conversationsByUser(this.#connection, this.#tables, scope, limit);
  }

  intentCounts(scope: MetricScope): Promise<KeyedCount[]> {
    return intentCounts(this.#connection, this.#tables, scope);
  }

  classification(scope: MetricScope): Promise<ClassificationTotals> {
    return classification(this.#connection, this.#tables, this.#queue, scope);
  }

  classifierSpendOn(day: string): Promise<number> {
    return classifierSpendOn(this.#connection, this.#tables, day);
  }

  latency(scope: MetricScope, groupBy: LatencyGrouping, measure: ResponseMeasure): Promise<LatencyGroup[]> {
    return latency(this.#connection, this.#tables, scope, groupBy, measure);
  }

  cost(scope: MetricScope, grouping: CostGrouping): Promise<CostGroup[]> {
    return cost(this.#connection, this.#tables, scope, grouping);
  }

  errors(scope: MetricScope, groupBy: 'model' | 'day'): Promise<ErrorGroup[]> {
    return errors(this.#connection, this.#tables, scope, groupBy);
  }

  satisfaction(scope: MetricScope, groupBy: 'intent' | 'model'): Promise<SatisfactionGroup[]> {
    return satisfaction(this.#connection, this.#tables, scope, groupBy);
  }

  delivery(scope: MetricScope): Promise<DeliveryTotals> {
    return delivery(this.#connection, this.#tables, scope);
  }

  promptsByQuarterHour(scope: MetricScope): Promise<QuarterHourCount[]> {
    return promptsByQuarterHour(this.#connection, this.#tables, scope);
  }

  async intentFlows(scope: MetricScope): Promise<IntentFlow[]> {
    return intentFlows(await this.#conversationIntentsOf(scope));
  }

  async intentFlowEnds(scope: MetricScope): Promise<KeyedCount[]> {
    return intentFlowEnds(await this.#conversationIntentsOf(scope));
  }

  #conversationIntentsOf(scope: MetricScope): Promise<ConversationIntents> {
    let intents = this.#conversationIntents.get(scope);
    if (intents === undefined) {
      intents = conversationIntents(this.#connection, this.#tables, scope);
      this.#conversationIntents.set(scope, intents);
    }
    return intents;
  }

  activeConversations(sinceMs: number, traffic: TrafficInclusion, limit: number): Promise<LiveConversations> {
    return activeConversations(this.#connection, this.#tables, sinceMs, traffic, limit);
  }

  excludedUsers(scope: MetricScope): Promise<ExcludedUsers> {
    return excludedUsers(this.#connection, this.#tables, scope);
  }
}
