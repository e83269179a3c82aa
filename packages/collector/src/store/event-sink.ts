import type { EventRecord, InsertOutcome } from './event-record.js';

/** Where ingest puts events: the write side of a store, and nothing else. */
export interface EventSink {
  /**
   * Persists events atomically. Resolves only after the data is durable
   * (committed): the HTTP 200 is sent after this resolves, never before.
   * A messageId already stored for the same write key is skipped and counted.
   * Rejects with StoreUnavailableError when a retry can succeed (disk full…).
   */
  insertEvents(events: readonly EventRecord[]): Promise<InsertOutcome>;
  /** False for a new, empty database (`start` then offers demo data). */
  hasEvents(): Promise<boolean>;
}
