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
import { costBySegment } from './segment-cost-queries.js';
import { sessionById, sessionTotals } from './session-queries.js';
import { excludedUsers } from './traffic-queries.js';
import { UserSegments } from './user-segments.js';

/**
 * Metric queries over the embedded SQLite store. Statements are prepared per
 * call on purpose: their text embeds the zone's DST segments, and preparing
 * costs microseconds next to the queries themselves. Rollups and indexes are
 * in migrations 003 (users, sessions, conversations), 004 (responses,
 * prompts, intent flows, conversation entries, feedback turn model) and 005
 * (time to first token, streaming speed, rated responses, SDK delivery),
 * 006 (first touch per user) and 015 (satisfaction); rollup-materializer.ts (migration 009) folds
 * the stored events into them, and every query here runs after it caught up.
 */
export class SqliteMetrics implements MetricsSource {
  readonly #db: Database.Database;
  readonly #catchUp: () => void;
  readonly #segments = new UserSegments();

  /** `catchUp` folds the events not yet in the rollups (rollup-materializer.ts), so that every answer is exact and current. */
  constructor(db: Database.Database, catchUp: () => void) {
    this.#db = db;
    this.#catchUp = catchUp;
  }

  /** The connection, once every stored event is in the rollups. */
  #current(): Database.Database {
    this.#catchUp();
    return this.#db;
  }

  async activeUsers(scope: MetricScope): Promise<DailyActiveUsers[]> {
    return activeUsers(this.#current(), scope);
  }

  async retention(scope: MetricScope, cohort: CohortKind, offsets: readonly number[]): Promise<CohortActivity[]> {
    return retention(this.#current(), scope, cohort, offsets);
  }

  async usersByValue(scope: MetricScope, breakdown: Breakdown): Promise<KeyedCount[]> {
    return usersByValue(this.#current(), scope, breakdown);
  }

  async activeUsersByValue(scope: MetricScope, breakdown: Breakdown): Promise<BrokenDown<DailyActiveUsers[]>[]> {
    return activeUsersByValue(this.#current(), scope, breakdown);
  }

  async retentionByValue(
    scope: MetricScope,
    breakdown: Breakdown,
    cohort: CohortKind,
    offsets: readonly number[],
  ): Promise<BrokenDown<CohortActivity[]>[]> {
    return retentionByValue(this.#current(), scope, breakdown, cohort, offsets);
  }

  async sessionTotals(scope: MetricScope): Promise<SessionTotals> {
    return sessionTotals(this.#current(), scope);
  }

  async sessionById(sessionId: string, traffic: TrafficInclusion): Promise<SessionDetail | null> {
    return sessionById(this.#current(), sessionId, traffic);
  }

  async conversationTotals(scope: MetricScope): Promise<ConversationTotals> {
    return conversationTotals(this.#current(), scope);
  }

  async conversationsByUser(scope: MetricScope, limit: number): Promise<UserConversations[]> {
    return conversationsByUser(this.#current(), scope, limit);
  }

  async intentCounts(scope: MetricScope): Promise<KeyedCount[]> {
    return intentCounts(this.#current(), scope);
  }

  async classification(scope: MetricScope): Promise<ClassificationTotals> {
    return classification(this.#current(), scope);
  }

  async classifierSpendOn(day: string): Promise<number> {
    return classifierSpendOn(this.#current(), day);
  }

  async latency(scope: MetricScope, groupBy: LatencyGrouping, measure: ResponseMeasure): Promise<LatencyGroup[]> {
    return latency(this.#current(), scope, groupBy, measure);
  }

  async cost(scope: MetricScope, grouping: CostGrouping): Promise<CostGroup[]> {
    const db = this.#current();
    return grouping.by === 'segment' ? costBySegment(db, scope, grouping.trait, this.#segments) : cost(db, scope, grouping);
  }

  async errors(scope: MetricScope, groupBy: 'model' | 'day'): Promise<ErrorGroup[]> {
    return errors(this.#current(), scope, groupBy);
  }

  async satisfaction(scope: MetricScope, groupBy: 'intent' | 'model'): Promise<SatisfactionGroup[]> {
    return satisfaction(this.#current(), scope, groupBy);
  }

  async delivery(scope: MetricScope): Promise<DeliveryTotals> {
    return delivery(this.#current(), scope);
  }

  async promptsByQuarterHour(scope: MetricScope): Promise<QuarterHourCount[]> {
    return promptsByQuarterHour(this.#current(), scope);
  }

  async intentFlows(scope: MetricScope): Promise<IntentFlow[]> {
    return intentFlows(this.#current(), scope);
  }

  async intentFlowEnds(scope: MetricScope): Promise<KeyedCount[]> {
    return intentFlowEnds(this.#current(), scope);
  }

  async activeConversations(sinceMs: number, traffic: TrafficInclusion, limit: number): Promise<LiveConversations> {
    return activeConversations(this.#current(), sinceMs, traffic, limit);
  }

  async excludedUsers(scope: MetricScope): Promise<ExcludedUsers> {
    return excludedUsers(this.#current(), scope);
  }
}
