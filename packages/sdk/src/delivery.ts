import { withFlushLock } from './flush-lock.js';
import { isOffline } from './global-scope.js';
import { uuid } from './ids.js';
import { unref } from './persisted-state.js';
import type { MessageInput } from './protocol/index.js';
import { queuedAt, type EventQueue, type QueuedMessage } from './queue.js';
import type { KeyValueStorage } from './storage.js';
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

/** Counts since the page loaded, and the state of the queue: what a health report is made of. */
export interface DeliveryHealth {
  queued: number;
  sent: number;
  /** Send attempts that failed and were scheduled again. */
  retried: number;
  droppedQueueFull: number;
  droppedRejected: number;
  storage: 'indexeddb' | 'memory';
  /** Age of the oldest event seen waiting by the latest send attempt; undefined when none waited. */
  oldestWaitingMs: number | undefined;
}

/**
 * Gets queued events to the collector exactly once: batching (flushAt and a
 * timer), one flush at a time per origin (flush lock), 413 → split the batch,
 * 5xx/429/network → backoff honouring Retry-After, 4xx → drop with a reason,
 * and a keepalive beacon of this tab's unacknowledged events when the page
 * is hidden (duplicates are removed by messageId on the collector).
 */
export class Delivery {
  readonly #options: DeliveryOptions;
  readonly #queue: EventQueue;
  readonly #lockStorage: KeyValueStorage;
  readonly #now: () => number;
  readonly #random: () => number;
  /** While true nothing is sent (opt-out). */
  readonly #paused: () => boolean;
  readonly #tabId = uuid();
  readonly #unacknowledged = new UnacknowledgedEvents(MAX_BATCH_MESSAGES);
  readonly #counts = { queued: 0, sent: 0, retried: 0, droppedRejected: 0 };
  #oldestWaitingAt: number | undefined;
  #adding: Promise<void> = Promise.resolve();
  #addedSinceFlush = 0;
  #flushing: Promise<void> | null = null;
  #failedAttempts = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryAt = 0;
  readonly #intervalTimer: ReturnType<typeof setInterval>;

  constructor(options: DeliveryOptions, queue: EventQueue, lockStorage: KeyValueStorage, now: () => number, random: () => number, paused: () => boolean) {
    this.#options = options;
    this.#queue = queue;
    this.#lockStorage = lockStorage;
    this.#now = now;
    this.#random = random;
    this.#paused = paused;
    this.#intervalTimer = unref(setInterval(() => void this.#send(false), options.flushIntervalMs));
  }

  /** Queues an event durably (in the background, batched per task) and sends when `flushAt` events wait. */
  enqueue(message: MessageInput): void {
    this.#unacknowledged.add(message);
    this.#counts.queued += 1;
    const added = this.#queue.add(message);
    this.#adding = this.#adding.then(() => added).catch((error: unknown) => warn('queue failed', error));
    this.#addedSinceFlush += 1;
    if (this.#addedSinceFlush >= this.#options.flushAt) void this.#adding.then(() => this.#send(false));
  }

  /** Sends every waiting event; resolves when done or when sending must wait (offline, collector down). */
  async flush(): Promise<void> {
    await this.#adding;
    await this.#send(true);
  }

  /** Discards every waiting event (opt-out). */
  clear(): void {
    this.#unacknowledged.clear();
    const cleared = this.#queue.clear();
    this.#adding = this.#adding.then(() => cleared).catch(() => undefined);
  }

  /** The browser came back online: the backoff was about the network, not the collector. */
  online(): void {
    this.#retryAt = 0;
    void this.#send(false);
  }

  /** Page hidden or unloading: the async queue may not get another chance, so send this tab's events now. */
  hidden(): void {
    if (this.#paused() || isOffline() || this.#unacknowledged.size === 0) return;
    sendBeacon(this.#options.endpoint, this.#options.writeKey, this.#unacknowledged.list());
  }

  health(): DeliveryHealth {
    return {
      ...this.#counts,
      droppedQueueFull: this.#queue.dropped,
      storage: this.#queue.persistent ? 'indexeddb' : 'memory',
      oldestWaitingMs: this.#oldestWaitingAt === undefined ? undefined : Math.max(0, this.#now() - this.#oldestWaitingAt),
    };
  }

  /** Stops the timers (tests, Node processes that want to exit). */
  shutdown(): void {
    clearInterval(this.#intervalTimer);
    clearTimeout(this.#retryTimer);
  }

  /** One flush at a time per tab, and one tab at a time per origin (flush lock). */
  #send(explicit: boolean): Promise<void> {
    if (this.#paused() || isOffline()) return Promise.resolve();
    if (!explicit && this.#now() < this.#retryAt) return Promise.resolve();
    this.#flushing ??= withFlushLock(this.#lockStorage, this.#tabId, () => this.#sendAll())
      .then(() => undefined)
      .finally(() => {
        this.#flushing = null;
      });
    return this.#flushing;
  }

  async #sendAll(): Promise<void> {
    this.#addedSinceFlush = 0;
    let limit = MAX_BATCH_MESSAGES;
    for (;;) {
      const waiting = await this.#queue.peek(limit);
      this.#oldestWaitingAt = waiting[0] === undefined ? undefined : queuedAt(waiting[0].key);
      const batch = fitToBytes(waiting);
      if (batch.length === 0) return;
      const outcome = await sendBatch(this.#options.endpoint, this.#options.writeKey, batch.map((entry) => entry.message));
      if (outcome.kind === 'retry') {
        this.#scheduleRetry(outcome.retryAfterMs);
        return;
      }
      this.#failedAttempts = 0;
      this.#retryAt = 0;
      if (outcome.kind === 'too_large' && batch.length > 1) {
        limit = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      let rejected = batch.length;
      if (outcome.kind === 'acknowledged') {
        rejected = outcome.result.rejected.length;
        for (const event of outcome.result.rejected) warn(`dropped invalid event ${event.messageId ?? event.index}`, event.errors);
      } else {
        warn(`dropped ${batch.length} refused event(s): ${outcome.kind === 'refused' ? outcome.reason : 'too large'}`);
      }
      this.#counts.sent += batch.length - rejected;
      this.#counts.droppedRejected += rejected;
      await this.#queue.remove(batch.map((entry) => entry.key));
      for (const entry of batch) this.#unacknowledged.acknowledge(String(entry.message.messageId));
    }
  }

  #scheduleRetry(retryAfterMs: number | null): void {
    const delay = Math.max(retryAfterMs ?? 0, backoffDelay(this.#failedAttempts, this.#random));
    this.#failedAttempts += 1;
    this.#counts.retried += 1;
    this.#retryAt = this.#now() + delay;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = unref(setTimeout(() => void this.#send(false), delay));
  }
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
