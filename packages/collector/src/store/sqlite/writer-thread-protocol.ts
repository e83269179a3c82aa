import type { ClassificationOutcome, ClassificationUsage } from '../../classification/classification-queue.js';
import type { InsertOutcome } from '../event-record.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import type { RollupMaterializerOptions } from './rollup-materializer.js';
import type { SerializedEvent } from './serialized-event.js';
import { toStoreWriteError } from './sqlite-errors.js';

/** What the writer thread opens (writer-thread.ts). */
export interface WriterThreadData {
  path: string;
  /** The materializer runs on the writer thread, between request transactions, unless `background` is false. */
  rollups: RollupMaterializerOptions & { background: boolean };
}

export type WriterRequest =
  | { kind: 'insert'; id: number; events: readonly SerializedEvent[] }
  | { kind: 'record-classifications'; id: number; outcomes: readonly ClassificationOutcome[]; usage: ClassificationUsage }
  | { kind: 'quarantine'; id: number; eventId: string }
  | { kind: 'checkpoint'; id: number }
  | { kind: 'flush'; id: number }
  | { kind: 'close'; id: number };

export type WriterReply =
  | { id: number; ok: true; outcome: InsertOutcome | null }
  | { id: number; ok: false; error: TransferredWriteError };

/**
 * A write error as it crosses the thread boundary: structured cloning keeps
 * an Error's message but not its class, and the HTTP layer needs the class
 * to answer a retryable 503 rather than a 500.
 */
export interface TransferredWriteError {
  message: string;
  /** Set for a StoreUnavailableError (disk full, locked…). */
  retryAfterSeconds: number | null;
  /** The engine's error code (SQLITE_CONSTRAINT…) when there was one. */
  code: string | null;
}

export function transferWriteError(error: unknown): TransferredWriteError {
  const mapped = toStoreWriteError(error);
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : null;
  if (mapped instanceof StoreUnavailableError) return { message: mapped.message, retryAfterSeconds: mapped.retryAfterSeconds, code };
  return { message: mapped instanceof Error ? mapped.message : String(mapped), retryAfterSeconds: null, code };
}

export function receiveWriteError(transferred: TransferredWriteError): Error {
  if (transferred.retryAfterSeconds !== null) {
    return new StoreUnavailableError(transferred.message, { retryAfterSeconds: transferred.retryAfterSeconds });
  }
  return Object.assign(new Error(transferred.message), transferred.code === null ? {} : { code: transferred.code });
}
