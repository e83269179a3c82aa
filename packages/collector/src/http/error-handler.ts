import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { MetricParameterError } from '../metrics/metric-parameter-error.js';
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
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding', message: 'Content-Encoding must be identity, gzip, deflate or br' },
};

/**
 * Codes for client errors raised by libraries (body-parser, send, zlib)
 * without a `type` we know; any other 4xx status answers `client_error`.
 */
const CLIENT_ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  403: 'forbidden',
  404: 'not_found',
  408: 'request_timeout',
  411: 'length_required',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
};

/**
 * The one place errors become responses: HttpError → its status, ZodError →
 * 400 naming the paths, MetricParameterError → 400 naming the parameter,
 * body-parser errors → 400/413/415, any other error a library marked with a
 * 4xx `status`/`statusCode` → that status, a store that cannot write now →
 * 503 with Retry-After, anything else → a logged 500 (bad input must never
 * get here).
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
    if (error instanceof HttpError && error.headers !== undefined) response.set(error.headers);
    const body = toErrorBody(error, request.get('content-encoding'));
    if (body.status >= 500) logger.error({ err: error, method: request.method, path: request.path }, 'request failed');
    response.status(body.status).json(body.json);
  };
}

function toErrorBody(error: unknown, contentEncoding: string | undefined): { status: number; json: ErrorBody } {
  if (error instanceof HttpError) {
    const details = error.details === undefined ? {} : { details: error.details };
    return { status: error.status, json: { error: { code: error.code, message: error.message, ...details } } };
  }
  if (error instanceof MetricParameterError) {
    return { status: 400, json: { error: { code: 'invalid_parameter', message: error.message } } };
  }
  if (error instanceof ZodError) {
    const details = toFieldErrors(error.issues);
    const message = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
    return { status: 400, json: { error: { code: 'invalid_request', message, details } } };
  }
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
  if (known !== undefined) return { status: known.status, json: { error: { code: known.code, message: known.message } } };
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    // body-parser marks a body zlib could not inflate (corrupt or truncated) as 400 without a `type`.
    if (status === 400 && isDecompressionError(error)) {
      const message = `request body could not be decompressed (Content-Encoding: ${contentEncoding ?? 'unknown'}): ${(error as Error).message}`;
      return { status, json: { error: { code: 'invalid_compressed_body', message } } };
    }
    const reason = STATUS_CODES[status] ?? 'Client Error';
    const detail = error instanceof Error && error.message !== '' && error.message !== reason ? `: ${error.message}` : '';
    return { status, json: { error: { code: CLIENT_ERROR_CODES[status] ?? 'client_error', message: `${reason}${detail}` } } };
  }
  return { status: 500, json: { error: { code: 'internal_error', message: 'internal error; see the collector log' } } };
}

/** A 4xx `status`/`statusCode` set by a library on its own error (http-errors convention), if any. */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const candidate = typeof status === 'number' ? status : statusCode;
  return typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 400 && candidate <= 499 ? candidate : undefined;
}

/** zlib's codes: `Z_DATA_ERROR`, `Z_BUF_ERROR` (gzip, deflate), `ERR__ERROR_FORMAT_*`, `ERR_BROTLI_*` (brotli). */
function isDecompressionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(Z_|ERR__ERROR_|ERR_BROTLI)/.test(code);
}
