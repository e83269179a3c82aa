import ky from 'ky';
import { sendKeepalive } from './global-scope.js';
import type { BatchResult, MessageInput } from './protocol/index.js';

/** What to do with a batch after one send attempt. */
export type SendOutcome =
  | { kind: 'acknowledged'; result: BatchResult }
  /** Network error, timeout, 5xx, 429: keep the events and retry later. */
  | { kind: 'retry'; retryAfterMs?: number | null }
  /** The collector refused the request itself (bad key, malformed): retrying cannot help. */
  | { kind: 'refused'; reason: string }
  /** 413: split the batch. */
  | { kind: 'too_large' };

const REQUEST_TIMEOUT_MS = 15_000;

export async function sendBatch(endpoint: string, writeKey: string, batch: MessageInput[]): Promise<SendOutcome> {
  let response: Response;
  try {
    response = await ky.post(`${endpoint}/v1/batch`, {
      json: { batch, sentAt: new Date().toISOString() },
      headers: { authorization: `Basic ${btoa(`${writeKey}:`)}` },
      retry: 0, // backoff is ours: it must survive reloads and never block the page
      throwHttpErrors: false,
      timeout: REQUEST_TIMEOUT_MS,
    });
  } catch {
    return { kind: 'retry' };
  }
  if (response.ok) {
    const result = (await response.json().catch(() => null)) as BatchResult | null;
    // A 2xx without the collector's batch result (a proxy's own JSON, no body) acknowledges all:
    // reading `rejected` from it would throw and leave the batch queued to be sent again forever.
    return { kind: 'acknowledged', result: Array.isArray(result?.rejected) ? result : { accepted: batch.length, duplicates: 0, rejected: [] } };
  }
  if (response.status === 413) return { kind: 'too_large' };
  if (response.status === 429 || response.status === 408 || response.status >= 500) {
    return { kind: 'retry', retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
  }
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return { kind: 'refused', reason: body?.error?.message ?? `HTTP ${response.status}` };
}

/** `Retry-After` as seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Exponential backoff with full jitter between half and all of the step (1 s, 2 s, 4 s … 5 min). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(1000 * 2 ** attempt, 300_000);
  return Math.round(step / 2 + (random() * step) / 2);
}

/** The body limit of `fetch(keepalive)` and `sendBeacon`. */
export const BEACON_LIMIT_BYTES = 64 * 1024;

/**
 * Last-chance send when the page is hidden or unloading: fire-and-forget, the
 * write key travels in the body (beacons cannot set headers). The events stay
 * queued; if they arrived, the next page's send is deduplicated by messageId.
 */
export function sendBeacon(endpoint: string, writeKey: string, batch: MessageInput[]): void {
  const body = JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey });
  if (body.length <= BEACON_LIMIT_BYTES) sendKeepalive(`${endpoint}/v1/batch`, body);
}
