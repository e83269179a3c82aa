import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';
import { createTokenBuckets, type TokenBuckets } from './token-buckets.js';

export interface RateLimitOptions {
  /** Requests per second per write key; 0 turns the limit off. */
  perWriteKey: number;
  /** Requests per second per client IP; 0 turns the limit off. */
  perIp: number;
  now?: () => number;
}

export interface RateLimits {
  /** Middleware counting each request against its client IP. */
  byIp: RequestHandler;
  /** Counts one request against an authenticated write key; throws 429 over the limit. */
  byWriteKey(writeKey: string): void;
}

// A burst of twice the per-second rate lets a client drain a backlog (an
// offline queue, a retry wave) at once while the rate still caps it.
const BURST_SECONDS = 2;

/**
 * Per-write-key and per-IP request limits. Over a limit the answer is 429
 * `rate_limited` with `Retry-After` in seconds, which the SDK and Segment's
 * clients honour before retrying.
 */
export function createRateLimits(options: RateLimitOptions): RateLimits {
  const ipBuckets = bucketsFor(options.perIp, options.now);
  const writeKeyBuckets = bucketsFor(options.perWriteKey, options.now);
  return {
    byIp(request, _response, next) {
      // Without `trust proxy`, request.ip is the socket's peer address.
      const waitSeconds = ipBuckets?.take(request.ip ?? request.socket.remoteAddress ?? 'unknown') ?? 0;
      if (waitSeconds > 0) {
        next(rateLimited(`more than ${options.perIp} requests per second from this address`, waitSeconds));
        return;
      }
      next();
    },
    byWriteKey(writeKey) {
      const waitSeconds = writeKeyBuckets?.take(writeKey) ?? 0;
      if (waitSeconds > 0) throw rateLimited(`more than ${options.perWriteKey} requests per second for this write key`, waitSeconds);
    },
  };
}

function bucketsFor(ratePerSecond: number, now: (() => number) | undefined): TokenBuckets | undefined {
  if (ratePerSecond <= 0) return undefined;
  return createTokenBuckets({ ratePerSecond, burst: Math.max(1, ratePerSecond * BURST_SECONDS), ...(now === undefined ? {} : { now }) });
}

function rateLimited(reason: string, waitSeconds: number): HttpError {
  return new HttpError(429, 'rate_limited', `${reason}; retry after ${waitSeconds} s`, {
    headers: { 'Retry-After': String(waitSeconds) },
  });
}
