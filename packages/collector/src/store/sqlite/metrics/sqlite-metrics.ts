import type Database from 'better-sqlite3';
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
  ErrorGroup,
  ExcludedUsers,
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
import { activeUsers } from './activity-queries.js';
import { activeUsersByValue, retentionByValue, usersByValue } from './breakdown-queries.js';
import { conversationsByUser, conversationTotals } from './conversation-queries.js';
import { delivery } from './delivery-queries.js';
import { satisfaction } from './feedback-queries.js';
import { classification, classifierSpendOn, intentCounts, intentFlowEnds, intentFlows } from './intent-queries.js';
import { activeConversations } from './live-queries.js';
import { promptsByQuarterHour } from './prompt-hour-queries.js';
import { cost, errors, latency } from './response-queries.js';
import { retention } from './retention-queries.js';
import { sessionById, sessionTotals } from './session-queries.js';
import { excludedUsers } from './traffic-queries.js';

/**
 * Metric queries over the embedded SQLite store. Statements are prepared per
 * call on purpose: their text embeds the zone's DST segments, and preparing
 * costs microseconds next to the queries themselves. Rollups and indexes are
 * in migrations 003 (users, sessions, conversations), 004 (responses,
 * prompts, intent flows, conversation entries, feedback turn model) and 005
 * (time to first token, streaming speed, rated responses, SDK delivery) and
 * 006 (first touch per user).
 */
export class SqliteMetrics implements MetricsSource {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async activeUsers(scope: MetricScope): Promise<DailyActiveUsers[]> {
    return activeUsers(this.#db, scope);
  }

  async retention(scope: MetricScope, cohort: CohortKind, offsets: readonly number[]): Promise<CohortActivity[]> {
    return retention(this.#db, scope, cohort, offsets);
  }

  async usersByValue(scope: MetricScope, breakdown: Breakdown): Promise<KeyedCount[]> {
    return usersByValue(this.#db, scope, breakdown);
  }

  async activeUsersByValue(scope: MetricScope, breakdown: Breakdown): Promise<BrokenDown<DailyActiveUsers[]>[]> {
    return activeUsersByValue(this.#db, scope, breakdown);
  }

  async retentionByValue(
    scope: MetricScope,
    breakdown: Breakdown,
    cohort: CohortKind,
    offsets: readonly number[],
  ): Promise<BrokenDown<CohortActivity[]>[]> {
    return retentionByValue(this.#db, scope, breakdown, cohort, offsets);
  }

  async sessionTotals(scope: MetricScope): Promise<SessionTotals> {
    return sessionTotals(this.#db, scope);
  }

  async sessionById(sessionId: string, traffic: TrafficInclusion): Promise<SessionDetail | null> {
    return sessionById(this.#db, sessionId, traffic);
  }

  async conversationTotals(scope: MetricScope): Promise<ConversationTotals> {
    return conversationTotals(this.#db, scope);
  }

  async conversationsByUser(scope: MetricScope, limit: number): Promise<UserConversations[]> {
    return conversationsByUser(this.#db, scope, limit);
  }

  async intentCounts(scope: MetricScope): Promise<KeyedCount[]> {
    return intentCounts(this.#db, scope);
  }

  async classification(scope: MetricScope): Promise<ClassificationTotals> {
    return classification(this.#db, scope);
  }

  async classifierSpendOn(day: string): Promise<number> {
    return classifierSpendOn(this.#db, day);
  }

  async latency(scope: MetricScope, groupBy: LatencyGrouping, measure: ResponseMeasure): Promise<LatencyGroup[]> {
    return latency(this.#db, scope, groupBy, measure);
  }

  async cost(scope: MetricScope, grouping: CostGrouping): Promise<CostGroup[]> {
    return cost(this.#db, scope, grouping);
  }

  async errors(scope: MetricScope, groupBy: 'model' | 'day'): Promise<ErrorGroup[]> {
    return errors(this.#db, scope, groupBy);
  }

  async satisfaction(scope: MetricScope, groupBy: 'intent' | 'model'): Promise<SatisfactionGroup[]> {
    return satisfaction(this.#db, scope, groupBy);
  }

  async delivery(scope: MetricScope): Promise<DeliveryTotals> {
    return delivery(this.#db, scope);
  }

  async promptsByQuarterHour(scope: MetricScope): Promise<QuarterHourCount[]> {
    return promptsByQuarterHour(this.#db, scope);
  }

  async intentFlows(scope: MetricScope): Promise<IntentFlow[]> {
    return intentFlows(this.#db, scope);
  }

  async intentFlowEnds(scope: MetricScope): Promise<KeyedCount[]> {
    return intentFlowEnds(this.#db, scope);
  }

  async activeConversations(sinceMs: number, traffic: TrafficInclusion, limit: number): Promise<LiveConversations> {
    return activeConversations(this.#db, sinceMs, traffic, limit);
  }

  async excludedUsers(scope: MetricScope): Promise<ExcludedUsers> {
    return excludedUsers(this.#db, scope);
  }
}
