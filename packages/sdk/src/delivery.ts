import { withFlushLock } from './flush-lock.js';
import { isOffline } from './global-scope.js';
import { unref } from './unref-timer.js';
import { SDK_HEALTH_EVENT } from './protocol/event-names.js';
import type { MessageInput, SdkHealthProperties } from './protocol/index.js';
import { queuedAt, type EventQueue, type QueuedMessage } from './queue.js';
import { backoffDelay, sendBatch, sendBeacon } from './transport.js';
import { UnacknowledgedEvents } from './unacknowledged.js';
import { warn } from './warn.js';

/** Per request: well under the collector's 500 KB and 500-message limits. */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 400 * 1024;

export interface DeliveryOptions {
  endpoint: string;
  writeKey: string;
  /** Send as soon as this many events wait. */
  flushAt: number;
  flushIntervalMs: number;
}

/**
 * Counts since the page loaded, and the state of the queue: what a health
 * report is made of, under the report's own wire names. Health reports
 * themselves are not counted as queued, sent or rejected, so the counts are
 * about the product's events only (the collector compares `sent` with the
 * events it stored) and an idle page's reports stop. A full queue's drops
 * are counted whatever they were. `retried`: send attempts that failed and
 * were scheduled again; `oldest_waiting_ms`: age of the oldest event seen
 * waiting by the latest send attempt, absent when none waited.
 */
export type DeliveryHealth = SdkHealthProperties;

/** What the client asks of delivery. */
export interface Delivery {
  /** Queues an event durably (in the background, batched per task) and sends when `flushAt` events wait. */
  enqueue(message: MessageInput): void;
  /** Sends every waiting event; resolves when done or when sending must wait (offline, collector down). */
  flush(): Promise<void>;
  /** Discards every waiting event (opt-out). */
  clear(): void;
  /** The browser came back online: the backoff was about the network, not the collector. */
  online(): void;
  /** Page hidden or unloading: the async queue may not get another chance, so send this tab's events now. */
  hidden(): void;
  health(): DeliveryHealth;
  /** Stops the timers (tests, Node processes that want to exit). */
  shutdown(): void;
}

/**
 * Gets queued events to the collector exactly once: batching (flushAt and a
 * timer), one flush at a time per origin (flush lock), 413 → split the batch,
 * 5xx/429/network → backoff honouring Retry-After, 4xx → drop with a reason,
 * and a keepalive beacon of this tab's unacknowledged events when the page
 * is hidden (duplicates are removed by messageId on the collector).
 * `paused()` true stops all sending (opt-out).
 */
export function createDelivery(
  options: DeliveryOptions,
  queue: EventQueue,
  now: () => number,
  random: () => number,
  paused: () => boolean,
  /** Called after a batch was acknowledged by the collector. */
  delivered: () => void = () => undefined,
): Delivery {
  const unacknowledged = new UnacknowledgedEvents(MAX_BATCH_MESSAGES);
  const counts = { queued: 0, sent: 0, retried: 0, dropped_rejected: 0 };
  let oldestWaitingAt: number | undefined;
  let adding: Promise<unknown> = Promise.resolve();
  let addedSinceFlush = 0;
  let flushing: Promise<void> | undefined;
  let failedAttempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryAt = 0;
  /** After shutdown() no timer is set again, not even by a send that was under way. */
  let stopped = false;

  /** One flush at a time per tab, and one tab at a time per origin (flush lock). */
  const send = (explicit?: boolean): Promise<void> | undefined => {
    if (paused() || isOffline() || (!explicit && now() < retryAt)) return;
    return (flushing ??= withFlushLock(sendAll).then(
      () => void (flushing = undefined),
      (error: unknown) => {
        flushing = undefined;
        throw error;
      },
    ));
  };

  const sendAll = async (): Promise<void> => {
    addedSinceFlush = 0;
    let limit = MAX_BATCH_MESSAGES;
    for (;;) {
      const waiting = await queue.peek(limit);
      oldestWaitingAt = waiting[0] && queuedAt(waiting[0].key);
      const batch = fitToBytes(waiting);
      if (batch.length === 0) return;
      const outcome = await sendBatch(options.endpoint, options.writeKey, batch.map((entry) => entry.message));
      if (outcome.kind === 'retry') {
        const delay = Math.max(outcome.retryAfterMs ?? 0, backoffDelay(failedAttempts++, random));
        counts.retried += 1;
        retryAt = now() + delay;
        clearTimeout(retryTimer);
        // The timer firing is the end of the wait: timers run on a loop clock
        // that can lag Date.now(), so re-checking retryAt could skip the retry.
        if (!stopped) retryTimer = unref(setTimeout(online, delay));
        return;
      }
      failedAttempts = retryAt = 0;
      if (outcome.kind === 'too_large' && batch.length > 1) {
        limit = batch.length >> 1;
        continue;
      }
      let rejected = new Set(batch.keys());
      if (outcome.kind === 'acknowledged') {
        rejected = new Set(outcome.result.rejected.map((event) => event.index));
        for (const event of outcome.result.rejected) warn(`dropped invalid event ${event.messageId ?? event.index}`, event.errors);
      } else {
        warn(`dropped ${batch.length} refused event(s): ${outcome.kind === 'refused' ? outcome.reason : 'too large'}`);
      }
      batch.forEach(({ message }, index) => {
        if (message.event !== SDK_HEALTH_EVENT) counts[rejected.has(index) ? 'dropped_rejected' : 'sent'] += 1;
      });
      await queue.remove(batch.map((entry) => entry.key));
      for (const entry of batch) unacknowledged.delete(String(entry.message.messageId));
      // Until the next look at the queue, nothing is known to wait.
      oldestWaitingAt = undefined;
      if (outcome.kind === 'acknowledged') delivered();
    }
  };

  /** The wait is over (online again, or the retry timer fired): send now. */
  const online = (): void => {
    retryAt = 0;
    void send();
  };

  const intervalTimer = unref(setInterval(send, options.flushIntervalMs));

  return {
    enqueue(message) {
      unacknowledged.set(String(message.messageId), message);
      if (message.event !== SDK_HEALTH_EVENT) counts.queued += 1;
      const added = queue.add(message);
      adding = adding.then(() => added).catch((error: unknown) => warn('queue failed', error));
      if (++addedSinceFlush >= options.flushAt) void adding.then(() => send());
    },
    async flush() {
      await adding;
      await send(true);
    },
    clear() {
      unacknowledged.clear();
      const cleared = queue.clear();
      adding = adding.then(() => cleared).catch(() => undefined);
    },
    online,
    hidden() {
      if (!paused() && !isOffline() && unacknowledged.size > 0) sendBeacon(options.endpoint, options.writeKey, [...unacknowledged.values()]);
    },
    health: () => ({
      ...counts,
      dropped_queue_full: queue.dropped,
      storage: queue.persistent ? 'indexeddb' : 'memory',
      ...(oldestWaitingAt !== undefined && { oldest_waiting_ms: Math.max(0, now() - oldestWaitingAt) }),
    }),
    shutdown() {
      stopped = true;
      clearInterval(intervalTimer);
      clearTimeout(retryTimer);
    },
  };
}

/** Takes the oldest events that fit one request. */
function fitToBytes(entries: QueuedMessage[]): QueuedMessage[] {
  let bytes = 0;
  const fitting: QueuedMessage[] = [];
  for (const entry of entries) {
    bytes += JSON.stringify(entry.message).length;
    if (fitting.length > 0 && bytes > MAX_BATCH_BYTES) break;
    fitting.push(entry);
  }
  return fitting;
}
