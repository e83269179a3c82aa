/**
 * The durable queue of prompt texts awaiting classification, as a store
 * exposes it. Texts live only here, and only until they are classified.
 */
export interface ClassificationQueue {
  /** Oldest queued prompts first, with what the sampling policy needs about their user. */
  nextPromptsToClassify(limit: number): Promise<QueuedPrompt[]>;
  /**
   * Records intents in one transaction: sets the prompt's intent, copies it to
   * the response and action events of the same turn, erases the queued text
   * and adds the classifier's usage to the day's totals.
   */
  recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void>;
  /** Prompts still waiting (for health checks and tests). */
  queuedPromptCount(): Promise<number>;
  /** When the oldest waiting prompt was queued (epoch ms), null for an empty queue; readiness watches it. */
  oldestQueuedPromptAt(): Promise<number | null>;
  /** Makes erased texts unrecoverable from the engine's files (SQLite: WAL checkpoint). */
  purgeErasedText(): Promise<void>;
}

export interface QueuedPrompt {
  eventId: number;
  text: string;
  userKey: string;
  /** The user's `plan` trait, if identify gave one. */
  plan: string | null;
  /** When the user was first seen, epoch ms. */
  firstSeenAt: number;
}

export interface ClassificationOutcome {
  eventId: number;
  intent: string;
  /** False when the sampling policy skipped this user (intent `not_sampled`). */
  sampled: boolean;
}

/** Totals to add for one classifier on one UTC day. */
export interface ClassificationUsage {
  day: string;
  classifier: string;
  prompts: number;
  cached: number;
  errors: number;
  notSampled: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}
