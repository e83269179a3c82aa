import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** An erased user's id must not outlive the erasure in the logs. */
const USER_PATH = /^\/v1\/users\/[^/]+/i;

/**
 * One structured line per request: method, path, status, duration. No bodies,
 * no query strings, no user id from a path. Successful requests log at
 * `debug` (a busy collector answers thousands of batches a minute); client
 * errors at `info`, server errors at `error`, so the default level shows
 * what needs attention.
 */
export function createRequestLog(logger: Logger): RequestHandler {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const status = response.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
      logger[level]({ method: request.method, path: loggedPath(request.originalUrl), status, durationMs: Math.round(durationMs * 10) / 10 }, 'request');
    });
    next();
  };
}

/** The full path (a mounted router's request.path has lost its mount point by the time the response finishes), without query or user id. */
function loggedPath(originalUrl: string): string {
  const path = originalUrl.split('?', 1)[0] ?? '';
  return path.replace(USER_PATH, '/v1/users/:userId');
}
