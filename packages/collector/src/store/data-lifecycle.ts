/** What erasing one user removed, by kind of row. */
export interface ErasureOutcome {
  /** Stored events of the user and of every anonymous id linked to them. */
  events: number;
  /** anonymousId → userId links of the user. */
  identities: number;
  /** User rows (traits, first and last seen): the user's own and those of their anonymous ids. */
  users: number;
}

/** How a retention job should pace its deletions on an engine: rows per call and the pause between sweeps. */
export interface RetentionPace {
  batchSize: number;
  intervalMs: number;
}

/**
 * Deleting stored data: the erasure request of one person (GDPR art. 17,
 * CCPA) and time-based retention. Rollups follow every deletion, so metrics
 * answer as if the deleted events had never been stored.
 */
export interface DataLifecycle {
  /**
   * Erases a user in one transaction: their events (under their user id and
   * under every anonymous id linked to it), those identity links, their
   * traits, their queued prompt texts, and what the metrics keep per user.
   * The bytes are then made unrecoverable from the database files. Erasing
   * an unknown user erases nothing and counts zeros.
   *
   * @example
   * const { events } = await store.eraseUser('user-42');
   */
  eraseUser(userId: string): Promise<ErasureOutcome>;
  /**
   * Deletes at most `limit` of the events whose time is before `cutoffMs`
   * (epoch ms), oldest first, in one transaction; resolves with how many it
   * deleted, so a caller repeats while that equals `limit`.
   */
  deleteEventsBefore(cutoffMs: number, limit: number): Promise<number>;
  /** The engine's own pace for retention, when the job's default (small batches, frequent sweeps) does not suit it. */
  readonly retentionPace?: RetentionPace;
}
