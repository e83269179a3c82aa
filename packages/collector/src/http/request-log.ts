import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** One structured line per request: method, path, status, duration. No bodies, no query strings. */
export function createRequestLog(logger: Logger): RequestHandler {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        { method: request.method, path: request.path, status: response.statusCode, durationMs: Math.round(durationMs * 10) / 10 },
        'request',
      );
    });
    next();
  };
}
