import type { FieldError } from '../protocol/index.js';

/**
 * An error that is the client's to fix: it carries the status to answer with
 * and a stable machine-readable code. The error handler turns it into
 * `{ error: { code, message, details? } }`.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly details: FieldError[] | undefined;
  /** Response headers that belong to the error, e.g. `Retry-After` on a 429. */
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; details?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }
}
