import type { ClassificationQueue } from '../classification/classification-queue.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import type { EventRecord, InsertOutcome } from './event-record.js';

/**
 * Durable event storage. One implementation per engine (SQLite embedded,
 * ClickHouse for several stateless collectors); engine specifics stay inside
 * the implementation. Every method is async so that networked engines fit.
 */
export interface Store extends ClassificationQueue {
  /**
   * Persists events atomically. Resolves only after the data is durable
   * (committed): the HTTP 200 is sent after this resolves, never before.
   * A messageId already stored for the same write key is skipped and counted.
   * Rejects with StoreUnavailableError when a retry can succeed (disk full…).
   */
  insertEvents(events: readonly EventRecord[]): Promise<InsertOutcome>;

  /** Reads a value persisted by the collector itself (e.g. generated dev keys). */
  getSetting(name: string): Promise<string | null>;
  /** False for a new, empty database (`start` then offers demo data). */
  hasEvents(): Promise<boolean>;
  setSetting(name: string, value: string): Promise<void>;
  /**
   * Commits a tiny write (readiness probe). Rejects with StoreUnavailableError
   * when the engine cannot write now (full disk, read-only file, lock held).
   */
  checkWritable(): Promise<void>;

  /** The aggregates behind `GET /v1/metrics/…`, computed by this engine. */
  readonly metrics: MetricsSource;

  /** Flushes and closes. Safe to call twice. */
  close(): Promise<void>;
}
