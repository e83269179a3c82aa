import type { ClassificationUsage } from '../classification/classification-queue.js';
import type { MessageType } from '../protocol/index.js';

/**
 * One event as the ingest pipeline hands it to a store: engine-neutral,
 * already validated, identity not yet resolved (the store resolves
 * `userId ?? linked userId ?? anonymousId` inside its transaction so that
 * concurrent identify calls cannot race).
 */
export interface EventRecord {
  writeKey: string;
  messageId: string;
  type: MessageType;
  /** Track event name; null for identify/page/alias… */
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  /** alias: the id being merged into `userId`. */
  previousId: string | null;
  sessionId: string | null;
  conversationId: string | null;
  promptNumber: number | null;
  /** Skew-corrected event time, epoch ms: receivedAt − (sentAt − timestamp). */
  timestamp: number;
  /** The client's own clock reading, epoch ms. */
  originalTimestamp: number | null;
  sentAt: number | null;
  receivedAt: number;
  /** Prompt sent → last token (or the whole answer). */
  latencyMs: number | null;
  /** Prompt sent → first streamed token. */
  timeToFirstTokenMs: number | null;
  /** Completion tokens per second while streaming. */
  tokensPerSecond: number | null;
  /** A response's own id, or the id of the response an action rates. */
  responseId: string | null;
  /** The response_id of the answer a regenerated response replaces. */
  regeneratedFrom: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  cost: number | null;
  model: string | null;
  /** response_status: success | error | timeout. */
  status: string | null;
  errorType: string | null;
  intent: string | null;
  actionType: string | null;
  feedbackType: string | null;
  /** feedback_value as given, JSON-encoded (number, boolean or string). */
  feedbackValue: string | null;
  /** Numeric feedback when feedback_type is `rating`. */
  rating: number | null;
  /** Thumbs feedback: true for up (`true`, `1`, `"up"`), false for down. */
  thumbsUp: boolean | null;
  debug: boolean;
  /**
   * Bot traffic (a crawler's user agent, or `context.webdriver`) and internal
   * users (ingest/traffic-class.ts). A store keeps both sticky per user: once
   * an event shows it, that user's later events carry it too.
   */
  bot: boolean;
  internal: boolean;
  /** Properties with raw texts removed (or PII-scrubbed for debug/dev events). */
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
  /** Acquisition channel this event tells of (ingest/acquisition-channel.ts); null when none. */
  acquisitionChannel: string | null;
  traits: Record<string, unknown> | null;
  /** Unknown top-level fields, kept as they came. */
  extra: Record<string, unknown>;
  /** Prompt text awaiting background classification; never stored with the event. */
  pendingPromptText: string | null;
  /**
   * Set when the prompt was classified during ingest: what that classification
   * adds to the classifier's daily usage. The store adds it in the insert
   * transaction, and only when the event is new (a retried batch counts once).
   */
  ingestClassificationUsage: ClassificationUsage | null;
}

/** Result of persisting a batch. */
export interface InsertOutcome {
  /** Newly stored events. */
  inserted: number;
  /** Events whose messageId this write key had already stored (retries). */
  duplicates: number;
}
