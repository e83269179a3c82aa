import { StoreUnavailableError } from '../store-unavailable-error.js';
import { ClickHouseQueryError } from './clickhouse-query-error.js';

/** Socket errors of a server that is down, restarting or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * ClickHouse error codes that pass by themselves or by the operator's hand:
 * 159 TIMEOUT_EXCEEDED, 202 TOO_MANY_SIMULTANEOUS_QUERIES, 209 SOCKET_TIMEOUT,
 * 210 NETWORK_ERROR, 241 MEMORY_LIMIT_EXCEEDED, 242 TABLE_IS_READ_ONLY,
 * 243 NOT_ENOUGH_SPACE, 252 TOO_MANY_PARTS, 279 ALL_CONNECTION_TRIES_FAILED
 * (a shard of a Distributed table is down).
 */
const RETRYABLE_SERVER_CODES = new Set(['159', '202', '209', '210', '241', '242', '243', '252', '279']);

/**
 * The client parses `Code: N … (TYPE)` into `error.code`; 18.16 writes
 * `Code: 252, e.displayText() = DB::Exception: …` without the type, so the
 * code is read from the message then.
 */
const SERVER_CODE = /\bCode: (\d+)/;

/**
 * What a failed request means for the caller. A server that cannot be
 * reached or is overloaded is a pause a retry outlives: StoreUnavailableError,
 * which ingest answers with 503 and Retry-After, so SDKs keep their events.
 * Anything else is a query ClickHouse refused (a defect, or a server the
 * schema does not fit): ClickHouseQueryError with the server's reason and
 * the start of the query.
 */
export function toStoreError(error: unknown, query: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = String((error as { code?: unknown } | null)?.code ?? SERVER_CODE.exec(message)?.[1] ?? '');
  if (NETWORK_CODES.has(code) || RETRYABLE_SERVER_CODES.has(code)) {
    return new StoreUnavailableError(`ClickHouse cannot take the request now (${code}): ${message}`, { retryAfterSeconds: 5, cause: error });
  }
  if (/timeout|socket hang up/i.test(message)) {
    return new StoreUnavailableError(`ClickHouse did not answer in time: ${message}`, { retryAfterSeconds: 5, cause: error });
  }
  return new ClickHouseQueryError(`ClickHouse rejected a query: ${message}\n${query.slice(0, 2000)}`, { cause: error });
}
