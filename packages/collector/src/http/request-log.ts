import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * One structured line per request: method, path, status, duration. No bodies,
 * no query strings. Successful requests log at `debug` (a busy collector
 * answers thousands of batches a minute); client errors at `info`, server
 * errors at `error`, so the default level shows what needs attention.
 */
export function createRequestLog(logger: Logger): RequestHandler {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const status = response.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
      logger[level]({ method: request.method, path: request.path, status, durationMs: Math.round(durationMs * 10) / 10 }, 'request');
    });
    next();
  };
}
