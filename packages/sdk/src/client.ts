import { withFlushLock } from './flush-lock.js';
import { ConversationTracker } from './conversations.js';
import { uuid } from './ids.js';
import { resolveOptions, type ChatmeterOptions, type ResolvedOptions } from './options.js';
import { AI_EVENT } from './protocol/event-names.js';
import type { MessageInput } from './protocol/index.js';
import { ResilientQueue, type EventQueue, type QueuedMessage } from './queue.js';
import { pageContext } from './page-context.js';
import { addTextLengths, redactKeys, redactTexts } from './redact.js';
import { SessionTracker } from './session.js';
import { webStorage, type KeyValueStorage } from './storage.js';
import { backoffDelay, sendBatch, sendBeacon } from './transport.js';
import type { ActionInput, PromptInput, Properties, TrackResponseInput, Turn } from './types.js';
import { actionProperties, promptProperties, responseProperties } from './wire-properties.js';

const ANONYMOUS_ID_KEY = 'chatmeter_anonymous_id';
const USER_ID_KEY = 'chatmeter_user_id';
const OPT_OUT_KEY = 'chatmeter_opt_out';
const DEBUG_KEY = 'chatmeter_debug';
/** Per request: well under the collector's 500 KB and 500-message limits. */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 400 * 1024;

/** Internals the tests and the script-tag loader reach; not part of the public API. */
export interface ChatmeterInternals {
  storage?: { local: KeyValueStorage; session: KeyValueStorage };
  queue?: EventQueue;
  now?: () => number;
  random?: () => number;
}

/** The public API; every method is safe to call at any time and never throws. */
export interface Chatmeter {
  identify(userId: string, traits?: Properties): void;
  /** Forgets the user: new anonymous id, new session, no current conversation. */
  reset(): void;
  /** Stops tracking on this browser (persisted) and discards waiting events. */
  optOut(): void;
  optIn(): void;
  startConversation(): string;
  trackPrompt(input: PromptInput): Turn;
  trackResponse(input: TrackResponseInput): void;
  trackAction(input: ActionInput): void;
  track(event: string, properties?: Properties): void;
  /** Sends every waiting event now; resolves when done or when sending must wait (offline, collector down). */
  flush(): Promise<void>;
  setDebug(on: boolean): void;
  /** Calls `listener` with each event as it is queued (after redaction); returns an unsubscribe function. */
  onEvent(listener: (message: MessageInput) => void): () => void;
}

export class ChatmeterClient implements Chatmeter {
  readonly #options: ResolvedOptions;
  readonly #local: KeyValueStorage;
  readonly #queue: EventQueue;
  readonly #session: SessionTracker;
  readonly #conversations: ConversationTracker;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #tabId = uuid();
  readonly #listeners = new Set<(message: MessageInput) => void>();
  /** This tab's queued, unacknowledged events: readable synchronously when the page is hidden. */
  readonly #unacknowledged = new Map<string, MessageInput>();
  #debug: boolean;
  #adding: Promise<void> = Promise.resolve();
  #addedSinceFlush = 0;
  #flushing: Promise<void> | null = null;
  #failedAttempts = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryAt = 0;

  constructor(options: ChatmeterOptions, internals: ChatmeterInternals = {}) {
    this.#options = resolveOptions(options);
    this.#local = internals.storage?.local ?? webStorage('localStorage');
    this.#queue = internals.queue ?? new ResilientQueue(this.#options.maxQueueSize);
    this.#now = internals.now ?? Date.now;
    this.#random = internals.random ?? Math.random;
    this.#session = new SessionTracker(this.#local, this.#options.sessionTimeoutMinutes * 60_000, this.#now);
    this.#conversations = new ConversationTracker(internals.storage?.session ?? webStorage('sessionStorage'));
    this.#debug = this.#options.debug || this.#local.get(DEBUG_KEY) === '1' || debugRequestedByUrl();
    this.#listen();
  }

  identify(userId: string, traits?: Properties): void {
    this.#guard(() => {
      if (typeof userId !== 'string' || userId === '') throw new TypeError('identify(userId): userId must be a non-empty string');
      this.#local.set(USER_ID_KEY, userId);
      this.#enqueue({ type: 'identify', traits: { ...traits } });
    });
  }

  reset(): void {
    this.#guard(() => {
      this.#local.remove(USER_ID_KEY);
      this.#local.set(ANONYMOUS_ID_KEY, uuid());
      this.#session.end();
      this.#conversations.clear();
    });
  }

  optOut(): void {
    this.#guard(() => {
      this.#local.set(OPT_OUT_KEY, '1');
      this.#unacknowledged.clear();
      this.#session.end();
      this.#adding = this.#adding.then(() => this.#queue.clear()).catch(() => undefined);
    });
  }

  optIn(): void {
    this.#guard(() => this.#local.remove(OPT_OUT_KEY));
  }

  startConversation(): string {
    return this.#guard(() => this.#conversations.start()) ?? uuid();
  }

  trackPrompt(input: PromptInput): Turn {
    const promptedAt = this.#now();
    const turn = this.#guard(() => {
      const { conversationId, promptNumber } = this.#conversations.nextPrompt(input?.conversationId);
      const properties = promptProperties(input ?? {}, conversationId, promptNumber);
      return { conversationId, promptNumber, messageId: this.#enqueue({ type: 'track', event: AI_EVENT.promptCreated, properties }) };
    }) ?? { conversationId: uuid(), promptNumber: 1, messageId: uuid() };
    return {
      ...turn,
      response: (response = {}) =>
        this.trackResponse({ latencyMs: Math.max(0, this.#now() - promptedAt), ...response, conversationId: turn.conversationId, promptNumber: turn.promptNumber }),
    };
  }

  trackResponse(input: TrackResponseInput): void {
    this.#trackInConversation(input, AI_EVENT.responseReceived, responseProperties);
  }

  trackAction(input: ActionInput): void {
    this.#trackInConversation(input, AI_EVENT.userAction, (action, conversationId, promptNumber) => {
      if (typeof action.actionType !== 'string' || action.actionType === '') throw new TypeError('trackAction: actionType is required');
      return actionProperties(action, conversationId, promptNumber);
    });
  }

  track(event: string, properties?: Properties): void {
    this.#guard(() => {
      if (typeof event !== 'string' || event === '') throw new TypeError('track(event): event name must be a non-empty string');
      this.#enqueue({ type: 'track', event, properties: { ...properties } });
    });
  }

  async flush(): Promise<void> {
    try {
      await this.#adding;
      await this.#send(true);
    } catch (error) {
      this.#warn('flush failed', error);
    }
  }

  setDebug(on: boolean): void {
    this.#debug = on === true;
  }

  onEvent(listener: (message: MessageInput) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops timers and listeners (tests, Node processes that want to exit). */
  shutdown(): void {
    clearInterval(this.#intervalTimer);
    clearTimeout(this.#retryTimer);
    this.#removeListeners?.();
  }

  #intervalTimer: ReturnType<typeof setInterval> | undefined;
  #removeListeners: (() => void) | undefined;

  get #optedOut(): boolean {
    return this.#local.get(OPT_OUT_KEY) === '1';
  }

  /** A response or action: in the given conversation (else the current one, else a new one), answering its latest prompt unless told. */
  #trackInConversation<T extends { conversationId?: string; promptNumber?: number }>(
    input: T,
    event: string,
    toProperties: (input: T, conversationId: string, promptNumber: number | undefined) => Properties,
  ): void {
    this.#guard(() => {
      const conversationId = input.conversationId ?? this.#conversations.current() ?? this.#conversations.start();
      const promptNumber = input.promptNumber ?? (this.#conversations.lastPrompt(conversationId) || undefined);
      this.#enqueue({ type: 'track', event, properties: toProperties(input, conversationId, promptNumber) });
    });
  }

  /** Builds the message, redacts it, and queues it durably in the background. Returns its messageId. */
  #enqueue(partial: { type: 'track' | 'identify'; event?: string; properties?: Properties; traits?: Properties }): string {
    const messageId = uuid();
    if (this.#optedOut) return messageId;
    const message: MessageInput = {
      ...partial,
      messageId,
      anonymousId: this.#anonymousId(),
      timestamp: new Date(this.#now()).toISOString(),
      context: { sessionId: this.#session.touch(), ...pageContext(this.#options) },
    };
    const userId = this.#local.get(USER_ID_KEY);
    if (userId !== null) message.userId = userId;
    if (partial.properties !== undefined) {
      const withTexts = this.#debug || this.#options.text === 'send';
      const properties = redactKeys(withTexts ? addTextLengths(partial.properties) : redactTexts(partial.properties), this.#options.redactProperties);
      if (this.#debug) properties['debug_mode'] = true;
      message.properties = properties;
    }
    if (this.#debug) console.log('[chatmeter]', partial.event ?? partial.type, message);
    for (const listener of this.#listeners) this.#guard(() => listener(message));
    this.#unacknowledged.set(messageId, message);
    this.#adding = this.#adding
      .then(() => this.#queue.add(message))
      .catch((error: unknown) => this.#warn('queue failed', error));
    this.#addedSinceFlush += 1;
    if (this.#addedSinceFlush >= this.#options.flushAt) void this.#adding.then(() => this.#send(false));
    return messageId;
  }

  #anonymousId(): string {
    let id = this.#local.get(ANONYMOUS_ID_KEY);
    if (id === null) {
      id = uuid();
      this.#local.set(ANONYMOUS_ID_KEY, id);
    }
    return id;
  }

  /** One flush at a time per tab, and one tab at a time per origin (flush lock). */
  #send(explicit: boolean): Promise<void> {
    if (this.#optedOut || isOffline()) return Promise.resolve();
    if (!explicit && this.#now() < this.#retryAt) return Promise.resolve();
    this.#flushing ??= withFlushLock(this.#local, this.#tabId, () => this.#sendAll())
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
      const batch = fitToBytes(await this.#queue.peek(limit));
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
      if (outcome.kind === 'acknowledged') {
        for (const rejected of outcome.result.rejected) {
          this.#warn(`dropped invalid event ${rejected.messageId ?? rejected.index}`, rejected.errors);
        }
      } else {
        this.#warn(`dropped ${batch.length} refused event(s): ${outcome.kind === 'refused' ? outcome.reason : 'too large'}`);
      }
      await this.#queue.remove(batch.map((entry) => entry.key));
      for (const entry of batch) this.#unacknowledged.delete(String(entry.message.messageId));
    }
  }

  #scheduleRetry(retryAfterMs: number | null): void {
    const delay = Math.max(retryAfterMs ?? 0, backoffDelay(this.#failedAttempts, this.#random));
    this.#failedAttempts += 1;
    this.#retryAt = this.#now() + delay;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = unref(setTimeout(() => void this.#send(false), delay));
  }

  #listen(): void {
    this.#intervalTimer = unref(setInterval(() => void this.#send(false), this.#options.flushIntervalMs));
    if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return;
    // One signal removes every listener at shutdown.
    const listening = new AbortController();
    const options = { signal: listening.signal };
    window.addEventListener('online', () => {
      this.#retryAt = 0;
      void this.#send(false);
    }, options);
    window.addEventListener('pagehide', () => this.#beacon(), options);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.#beacon();
    }, options);
    this.#removeListeners = () => listening.abort();
  }

  /** Page hidden or unloading: the async queue may not get another chance, so send this tab's events now. */
  #beacon(): void {
    if (this.#optedOut || isOffline() || this.#unacknowledged.size === 0) return;
    this.#guard(() => sendBeacon(this.#options.endpoint, this.#options.writeKey, [...this.#unacknowledged.values()].slice(-MAX_BATCH_MESSAGES)));
  }

  #guard<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      this.#warn('call ignored', error);
      return undefined;
    }
  }

  #warn(message: string, detail?: unknown): void {
    try {
      console.warn(`chatmeter: ${message}`, detail ?? '');
    } catch {
      // a console that throws must not break the page either
    }
  }
}

function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

function debugRequestedByUrl(): boolean {
  try {
    return new URLSearchParams(globalThis.location?.search ?? '').get(DEBUG_KEY) === '1';
  } catch {
    return false;
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

/** Node timers keep the process alive; tracking must not. */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
