import type { ResponseStatus } from '../protocol/index.js';

/** What a failed LLM call is recorded as: its status and a short, text-free error type. */
export interface LlmCallFailure {
  status: Exclude<ResponseStatus, 'success'>;
  /** `http_<status>` when the provider answered, else the error's class name (`APIConnectionTimeoutError`, `TypeError`…). */
  errorType: string;
}

/** Timeouts and aborts as the fetch API (`AbortSignal.timeout`, `AbortController`) and the openai package name them. */
const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError', 'APIConnectionTimeoutError', 'APIUserAbortError']);
/** Answers that are the server's (or a gateway's) own timeout. */
const TIMEOUT_STATUSES = new Set([408, 504]);

/**
 * Classifies an error thrown by an LLM client. Duck-typed: the openai
 * package's `APIError.status`, the AI SDK's `APICallError.statusCode`, and
 * one level of `cause` (fetch wraps the real reason there).
 */
export function classifyLlmError(error: unknown): LlmCallFailure {
  const name = errorName(error);
  const status = httpStatus(error);
  const causeName = errorName((error as { cause?: unknown } | null)?.cause);
  const timedOut = TIMEOUT_NAMES.has(name) || TIMEOUT_NAMES.has(causeName) || (status !== undefined && TIMEOUT_STATUSES.has(status));
  return { status: timedOut ? 'timeout' : 'error', errorType: status === undefined ? name : `http_${status}` };
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

/** The error's `name`, or its class name when `name` is the generic `Error` (the openai package leaves it so). */
function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error;
  const { name } = error as { name?: unknown };
  if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof className === 'string' && className !== '' ? className : 'Error';
}
