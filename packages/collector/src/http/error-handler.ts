import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { toFieldErrors, type ErrorBody } from '../protocol/index.js';
import { StoreUnavailableError } from '../store/store-unavailable-error.js';
import { HttpError } from './http-error.js';

/** body-parser's errors carry `type` and `status`; map them to our codes. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.too.large': { status: 413, code: 'payload_too_large', message: 'request body is over the 500 KB limit; send smaller batches' },
  'entity.parse.failed': { status: 400, code: 'invalid_json', message: 'request body is not valid JSON' },
  'entity.verify.failed': { status: 400, code: 'invalid_body', message: 'request body could not be verified' },
  'request.aborted': { status: 400, code: 'request_aborted', message: 'the client aborted the request' },
  'request.size.invalid': { status: 400, code: 'invalid_body', message: 'request body size does not match Content-Length' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset', message: 'only UTF-8 JSON bodies are accepted' },
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding', message: 'Content-Encoding must be identity or gzip' },
};

/**
 * The one place errors become responses: HttpError → its status, ZodError →
 * 400 naming the paths, body-parser errors → 400/413/415, a store that cannot
 * write now → 503 with Retry-After, anything else → a logged 500 (bad input
 * must never get here).
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    if (error instanceof StoreUnavailableError) {
      // Retryable: the client keeps its events and comes back; the disk or lock may free up meanwhile.
      logger.warn({ err: error, method: request.method, path: request.path }, 'storage unavailable');
      response.set('Retry-After', String(error.retryAfterSeconds));
      response.status(503).json({ error: { code: 'storage_unavailable', message: `${error.message}; retry later` } });
      return;
    }
    const body = toErrorBody(error);
    if (body.status >= 500) logger.error({ err: error, method: request.method, path: request.path }, 'request failed');
    response.status(body.status).json(body.json);
  };
}

function toErrorBody(error: unknown): { status: number; json: ErrorBody } {
  if (error instanceof HttpError) {
    const details = error.details === undefined ? {} : { details: error.details };
    return { status: error.status, json: { error: { code: error.code, message: error.message, ...details } } };
  }
  if (error instanceof ZodError) {
    const details = toFieldErrors(error.issues);
    const message = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
    return { status: 400, json: { error: { code: 'invalid_request', message, details } } };
  }
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
  if (known !== undefined) return { status: known.status, json: { error: { code: known.code, message: known.message } } };
  return { status: 500, json: { error: { code: 'internal_error', message: 'internal error; see the collector log' } } };
}
