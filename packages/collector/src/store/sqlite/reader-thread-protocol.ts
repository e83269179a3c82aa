import type { MetricScope } from '../../metrics/metric-scope.js';
import type { MetricsSource } from '../../metrics/metrics-source.js';
import { ZoneCalendar } from '../../metrics/zone-calendar.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { toStoreWriteError } from './sqlite-errors.js';

/** What a reader thread opens (reader-thread.ts). */
export interface ReaderThreadData {
  path: string;
}

/** A metric query as it crosses to a reader thread: a MetricsSource method and its arguments. */
export interface ReaderRequest {
  id: number;
  method: MetricsMethod;
  args: readonly unknown[];
}

export type ReaderReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: TransferredReadError };

/** The error of a query: structured cloning keeps an Error's message but not its class. */
export interface TransferredReadError {
  message: string;
  /** Set for a StoreUnavailableError (a lock held too long…), which a reader answers with a retryable 503. */
  retryAfterSeconds: number | null;
}

/**
 * Every MetricsSource method, once: a reader thread answers each by calling
 * the same method of its own SqliteMetrics. A Record over the interface's
 * keys, so that a method added to MetricsSource and not here fails to compile.
 */
const METRICS_METHODS: Record<keyof MetricsSource, true> = {
  activeUsers: true,
  retention: true,
  usersByValue: true,
  activeUsersByValue: true,
  retentionByValue: true,
  sessionTotals: true,
  sessionById: true,
  conversationTotals: true,
  conversationsByUser: true,
  intentCounts: true,
  classification: true,
  classifierSpendOn: true,
  latency: true,
  cost: true,
  errors: true,
  satisfaction: true,
  delivery: true,
  promptsByQuarterHour: true,
  intentFlows: true,
  intentFlowEnds: true,
  activeConversations: true,
  excludedUsers: true,
};

export type MetricsMethod = keyof MetricsSource;
export const metricsMethods = Object.keys(METRICS_METHODS) as MetricsMethod[];

/** A scope's calendar as plain data: its zone and offset segments. */
interface TransferredCalendar {
  transferredCalendar: true;
  timeZone: string;
  segments: ZoneCalendar['segments'];
}

function isScope(value: unknown): value is MetricScope {
  return typeof value === 'object' && value !== null && (value as { calendar?: unknown }).calendar instanceof ZoneCalendar;
}

function isTransferredCalendar(value: unknown): value is TransferredCalendar {
  return typeof value === 'object' && value !== null && (value as { transferredCalendar?: unknown }).transferredCalendar === true;
}

/** The arguments of a query, ready to post: a scope's calendar goes as its zone and segments. */
export function transferArgs(args: readonly unknown[]): unknown[] {
  return args.map((arg) => {
    if (!isScope(arg)) return arg;
    const calendar: TransferredCalendar = { transferredCalendar: true, timeZone: arg.calendar.timeZone, segments: arg.calendar.segments };
    return { ...arg, calendar };
  });
}

/** The arguments as the reader thread received them, with each scope's calendar a ZoneCalendar again. */
export function receiveArgs(args: readonly unknown[]): unknown[] {
  return args.map((arg) => {
    const calendar = (arg as { calendar?: unknown } | null)?.calendar;
    if (!isTransferredCalendar(calendar)) return arg;
    return { ...(arg as object), calendar: ZoneCalendar.fromSegments(calendar.timeZone, calendar.segments) };
  });
}

export function transferReadError(error: unknown): TransferredReadError {
  // A lock held past the busy timeout is as retryable for a reader as for a writer.
  error = toStoreWriteError(error);
  if (error instanceof StoreUnavailableError) return { message: error.message, retryAfterSeconds: error.retryAfterSeconds };
  return { message: error instanceof Error ? error.message : String(error), retryAfterSeconds: null };
}

export function receiveReadError(transferred: TransferredReadError): Error {
  if (transferred.retryAfterSeconds !== null) return new StoreUnavailableError(transferred.message, { retryAfterSeconds: transferred.retryAfterSeconds });
  return new Error(transferred.message);
}
