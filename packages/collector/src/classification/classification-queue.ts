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
  /**
   * Dead letter for a prompt that cannot be processed: marks it
   * `classification_error` and erases its text, touching nothing else, so
   * one bad row never blocks the queue. Erases the text even when the event
   * cannot be marked.
   */
  quarantinePrompt(eventId: string): Promise<void>;
  /** The oldest queued prompt's event id, read without its user (which may be what cannot be read). */
  oldestQueuedPromptId(): Promise<string | null>;
  /** Prompts still waiting (for health checks and tests). */
  queuedPromptCount(): Promise<number>;
  /** When the oldest waiting prompt was queued (epoch ms), null for an empty queue; readiness watches it. */
  oldestQueuedPromptAt(): Promise<number | null>;
  /** What `classifier` has cost on one UTC day (`YYYY-MM-DD`), 0 when it has not run; the daily budget watches it. */
  classifierCostOn(day: string, classifier: string): Promise<number>;
  /** Makes erased texts unrecoverable from the engine's files (SQLite: WAL checkpoint). */
  purgeErasedText(): Promise<void>;
}

export interface QueuedPrompt {
  /** Opaque to callers: only ever handed back to the same store (engines without integer ids fit). */
  eventId: string;
  text: string;
  userKey: string;
  /** The user's `plan` trait, if identify gave one. */
  plan: string | null;
  /** When the user was first seen, epoch ms. */
  firstSeenAt: number;
}

export interface ClassificationOutcome {
  /** A `QueuedPrompt.eventId`, as the store handed it out. */
  eventId: string;
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
