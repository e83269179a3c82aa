/**
 * A write failed for a reason that passes by itself or by the operator's
 * hand (disk full, database locked, read-only file): the client should keep
 * its events and retry later. Ingest answers 503 with `Retry-After`.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  /** How long a client should wait before retrying. */
  readonly retryAfterSeconds: number;

  constructor(message: string, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    // 30 s: long enough for an operator's cleanup or a checkpoint, short enough that SDK queues stay small.
    this.retryAfterSeconds = options.retryAfterSeconds ?? 30;
  }
}
