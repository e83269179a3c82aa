import type { LocalDay } from './local-day.js';
import type { MetricScope, TrafficInclusion } from './metric-scope.js';

/**
 * The rows behind every metric, as one storage engine computes them: the
 * engine-neutral contract each engine implements (SQLite in store/sqlite/),
 * so a new engine never edits metric code. Implementations return raw counts
 * and sums (unrounded); `src/metrics/` turns them into the documented answers
 * (docs/metrics.md). A `null` key means "no value" (no model, no intent, no
 * trait); the metric layer names it. Every engine must pass the same contract
 * suite (test/contract/), which checks the answers, not the rows.
 */
export interface MetricsSource {
  /** DAU/WAU/MAU for each day fromDay..toDay (WAU/MAU look back before fromDay). */
  activeUsers(scope: MetricScope): Promise<DailyActiveUsers[]>;
  /** Each cohort day fromDay..toDay with its size and the users active again N days later, for N in `offsets` with day+N ≤ toDay. */
  retention(scope: MetricScope, cohort: CohortKind, offsets: readonly number[]): Promise<CohortActivity[]>;
  /** Users with a prompt in the range per breakdown value (the ranking of the values). */
  usersByValue(scope: MetricScope, breakdown: Breakdown): Promise<KeyedCount[]>;
  /** `activeUsers` of each breakdown value's users; values without an active day in the range's look-back may be left out. */
  activeUsersByValue(scope: MetricScope, breakdown: Breakdown): Promise<BrokenDown<DailyActiveUsers[]>[]>;
  /** `retention` of each breakdown value's users; values without a cohort member may be left out. */
  retentionByValue(scope: MetricScope, breakdown: Breakdown, cohort: CohortKind, offsets: readonly number[]): Promise<BrokenDown<CohortActivity[]>[]>;
  /** Sessions whose first message is in the range. */
  sessionTotals(scope: MetricScope): Promise<SessionTotals>;
  /** One session, all time; null when unknown. */
  sessionById(sessionId: string, traffic: TrafficInclusion): Promise<SessionDetail | null>;
  /** Conversations whose first prompt is in the range. */
  conversationTotals(scope: MetricScope): Promise<ConversationTotals>;
  /** The same conversations per user, most conversations first. */
  conversationsByUser(scope: MetricScope, limit: number): Promise<UserConversations[]>;
  /** Prompts in the range per intent. */
  intentCounts(scope: MetricScope): Promise<KeyedCount[]>;
  /** Sampling outcome of prompts in the range, and the classifier's own usage on the range's UTC days. */
  classification(scope: MetricScope): Promise<ClassificationTotals>;
  /** What every classifier together cost on one UTC day (`YYYY-MM-DD`), 0 when none ran. */
  classifierSpendOn(day: string): Promise<number>;
  /** Distribution of one per-response measure (responses without a value are left out); `total` = one group (key null) over the whole scope, absent when it has no value. */
  latency(scope: MetricScope, groupBy: LatencyGrouping, measure: ResponseMeasure): Promise<LatencyGroup[]>;
  cost(scope: MetricScope, grouping: CostGrouping): Promise<CostGroup[]>;
  errors(scope: MetricScope, groupBy: 'model' | 'day'): Promise<ErrorGroup[]>;
  satisfaction(scope: MetricScope, groupBy: 'intent' | 'model'): Promise<SatisfactionGroup[]>;
  /** The SDK's delivery reports and the SDK events stored, per local day of the range, and their totals. */
  delivery(scope: MetricScope): Promise<DeliveryTotals>;
  /** Prompts per UTC quarter-hour in the range (any zone buckets these into its own hours). */
  promptsByQuarterHour(scope: MetricScope): Promise<QuarterHourCount[]>;
  /** Transitions between the intents of consecutive prompts of a conversation, both in the range. */
  intentFlows(scope: MetricScope): Promise<IntentFlow[]>;
  /** Conversations per intent of their last prompt in the range (no later prompt of theirs in the range). */
  intentFlowEnds(scope: MetricScope): Promise<KeyedCount[]>;
  /** Conversations with a message at or after `sinceMs`, latest first. */
  activeConversations(sinceMs: number, traffic: TrafficInclusion, limit: number): Promise<LiveConversations>;
  /**
   * Users with a prompt in the range whose traffic the scope leaves out (bots,
   * internal users; a user both is counted in both), so that nothing
   * disappears from the numbers silently. Debug mode is a kind of event, not
   * of user, and is not counted here.
   */
  excludedUsers(scope: MetricScope): Promise<ExcludedUsers>;
}

export interface ExcludedUsers {
  /** Users left out as bots (0 when the scope includes bots). */
  bots: number;
  /** Users left out as internal (0 when the scope includes them). */
  internal: number;
}

export type CohortKind = 'first_seen' | 'active';

/**
 * How users are split: by the channel of their first touch (`user_first_touch`;
 * null key = no touch, i.e. direct) or by the current value of one of their
 * traits (null key = no such trait). Every user has exactly one value, so
 * counts of users add up across values.
 */
export type Breakdown = { by: 'channel' } | { by: 'trait'; trait: string };

/** An engine's rows for the users of one breakdown value. */
export interface BrokenDown<T> {
  key: string | null;
  rows: T;
}

export interface DailyActiveUsers {
  day: LocalDay;
  dau: number;
  wau: number;
  mau: number;
}

export interface CohortActivity {
  day: LocalDay;
  size: number;
  /** offset N → cohort members active on day + N (only offsets with day + N ≤ toDay). */
  retained: ReadonlyMap<number, number>;
}

export interface SessionTotals {
  sessions: number;
  users: number;
  messages: number;
  singleMessageSessions: number;
  /** The sessions' prompts (user messages). */
  prompts: number;
  /** Sessions with exactly one prompt (whatever the replies). */
  singlePromptSessions: number;
  totalDurationMs: number;
  /** 0 when there are no sessions. */
  medianDurationMs: number;
}

export interface SessionDetail {
  userMessages: number;
  botMessages: number;
  firstMs: number;
  lastMs: number;
}

export interface ConversationTotals {
  conversations: number;
  users: number;
  prompts: number;
}

export interface UserConversations {
  user: string;
  conversations: number;
  prompts: number;
}

export interface KeyedCount {
  key: string | null;
  count: number;
}

export interface ClassificationTotals {
  prompts: number;
  /** Prompts the sampling policy sent to the classifier (or that came classified). */
  sampled: number;
  /** Prompts the sampling policy skipped. */
  notSampled: number;
  /** Prompts whose text waits in the classification queue. */
  pending: number;
  classifierCost: number;
  classifierTokens: number;
}

/**
 * latency = `latency_ms` (prompt sent → last token), ttft =
 * `time_to_first_token_ms`, tokens_per_second = streaming speed.
 */
export type ResponseMeasure = 'latency' | 'ttft' | 'tokens_per_second';

/** Values of one measure; the `Ms` names are milliseconds for the latencies, tokens per second for the speed. */
export interface LatencyGroup {
  key: string | null;
  count: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** `total`: one group over the whole scope, key null. */
export type LatencyGrouping = 'intent' | 'model' | 'total';

/** `total`: one group over the whole scope (key null; conversations counted once however many models they used), absent without responses. */
export type CostGrouping = { by: 'day' } | { by: 'model' } | { by: 'total' } | { by: 'segment'; trait: string };

export interface CostGroup {
  /** `YYYY-MM-DD` when grouped by day. */
  key: string | null;
  cost: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  conversations: number;
}

export interface ErrorGroup {
  /** `YYYY-MM-DD` when grouped by day. */
  key: string | null;
  responses: number;
  errors: number;
  timeouts: number;
}

export interface SatisfactionGroup {
  key: string | null;
  ratings: number;
  ratingSum: number;
  thumbs: number;
  thumbsUp: number;
}

export interface QuarterHourCount {
  /** First instant of the UTC quarter-hour, epoch ms. */
  startMs: number;
  prompts: number;
}

export interface IntentFlow {
  from: string | null;
  to: string | null;
  count: number;
}

export interface LiveConversations {
  count: number;
  conversations: LiveConversation[];
}

export interface LiveConversation {
  conversationId: string;
  user: string;
  messages: number;
  lastMessageMs: number;
}

/** Sums of `chatmeter_sdk_health` reports, and what was stored, over some days. */
export interface DeliveryCounts {
  /** Health reports received. */
  reports: number;
  queued: number;
  /** Events the SDK reports as sent (accepted by the collector). */
  sent: number;
  retried: number;
  droppedQueueFull: number;
  droppedRejected: number;
  /** Events stored whose context.library.name is the Chatmeter SDK's, health reports excepted. */
  stored: number;
  /** Distinct browsers (anonymousId, else user) that sent a report. */
  reportingBrowsers: number;
  /** Those of them with a report saying storage = memory. */
  memoryBrowsers: number;
}

export interface DeliveryDay extends DeliveryCounts {
  day: LocalDay;
}

export interface DeliveryTotals {
  /** Only days with a report or a stored SDK event. */
  days: DeliveryDay[];
  /** Over the whole range (browsers counted once however many days they report). */
  total: DeliveryCounts;
}
