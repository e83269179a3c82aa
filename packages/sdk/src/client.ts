import { ConversationTracker } from './conversations.js';
import { Delivery, type DeliveryHealth } from './delivery.js';
import { onPageLifecycle, pageSearch } from './global-scope.js';
import { Identity } from './identity.js';
import { uuid } from './ids.js';
import { resolveOptions, type ChatmeterOptions, type ResolvedOptions } from './options.js';
import { createPageContext } from './page-context.js';
import { AI_EVENT } from './protocol/event-names.js';
import type { MessageInput } from './protocol/index.js';
import { ResilientQueue, type EventQueue } from './queue.js';
import { addTextLengths, redactKeys, redactTexts } from './redact.js';
import { SessionTracker } from './session.js';
import { webStorage, type KeyValueStorage } from './storage.js';
import type { ActionInput, PromptInput, Properties, TrackResponseInput, Turn } from './types.js';
import { warn } from './warn.js';
import { actionProperties, promptProperties, responseProperties } from './wire-properties.js';

const DEBUG_KEY = 'chatmeter_debug';

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

/** Wires identity → session → conversation → redaction → delivery; holds no other logic. */
export class ChatmeterClient implements Chatmeter {
  readonly #options: ResolvedOptions;
  readonly #identity: Identity;
  readonly #session: SessionTracker;
  readonly #conversations: ConversationTracker;
  readonly #delivery: Delivery;
  readonly #pageContext: () => Record<string, unknown>;
  readonly #now: () => number;
  readonly #listeners = new Set<(message: MessageInput) => void>();
  readonly #stopListening: () => void;
  #debug: boolean;

  constructor(options: ChatmeterOptions, internals: ChatmeterInternals = {}) {
    this.#options = resolveOptions(options);
    const local = internals.storage?.local ?? webStorage('localStorage');
    const now = (this.#now = internals.now ?? Date.now);
    this.#identity = new Identity(local, now);
    this.#session = new SessionTracker(local, this.#options.sessionTimeoutMinutes * 60_000, now);
    this.#conversations = new ConversationTracker(internals.storage?.session ?? webStorage('sessionStorage'), now);
    this.#pageContext = createPageContext(this.#options);
    const queue = internals.queue ?? new ResilientQueue(this.#options.maxQueueSize);
    this.#delivery = new Delivery(this.#options, queue, local, now, internals.random ?? Math.random, () => this.#identity.optedOut);
    this.#debug = this.#options.debug || local.get(DEBUG_KEY) === '1' || new URLSearchParams(pageSearch()).get(DEBUG_KEY) === '1';
    this.#stopListening = onPageLifecycle({
      online: () => this.#delivery.online(),
      hidden: () => this.#guard(() => this.#pageHidden()),
    });
  }

  identify(userId: string, traits?: Properties): void {
    this.#guard(() => {
      if (typeof userId !== 'string' || userId === '') throw new TypeError('identify(userId): userId must be a non-empty string');
      this.#identity.identify(userId);
      this.#enqueue({ type: 'identify', traits: { ...traits } });
    });
  }

  reset(): void {
    this.#guard(() => {
      this.#identity.reset();
      this.#session.end();
      this.#conversations.clear();
    });
  }

  optOut(): void {
    this.#guard(() => {
      this.#identity.setOptedOut(true);
      this.#session.end();
      this.#delivery.clear();
    });
  }

  optIn(): void {
    this.#guard(() => this.#identity.setOptedOut(false));
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
      await this.#delivery.flush();
    } catch (error) {
      warn('flush failed', error);
    }
  }

  setDebug(on: boolean): void {
    this.#debug = on === true;
  }

  onEvent(listener: (message: MessageInput) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Counts and queue state of delivery since the page loaded (not part of the public API yet). */
  deliveryHealth(): DeliveryHealth {
    return this.#delivery.health();
  }

  /** Stops timers and listeners and writes state (tests, Node processes that want to exit). */
  shutdown(): void {
    this.#delivery.shutdown();
    this.#stopListening();
    this.#persist();
  }

  /** The last moment that is sure to run: write the in-memory state, then beacon what is unsent. */
  #pageHidden(): void {
    this.#persist();
    this.#delivery.hidden();
  }

  #persist(): void {
    this.#session.persist();
    this.#conversations.persist();
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

  /** Builds the message, redacts it, and hands it to delivery. Returns its messageId. */
  #enqueue(partial: { type: 'track' | 'identify'; event?: string; properties?: Properties; traits?: Properties }): string {
    const messageId = uuid();
    if (this.#identity.optedOut) return messageId;
    const message: MessageInput = {
      ...partial,
      messageId,
      anonymousId: this.#identity.anonymousId,
      timestamp: new Date(this.#now()).toISOString(),
      context: { sessionId: this.#session.touch(), ...this.#pageContext() },
    };
    const userId = this.#identity.userId;
    if (userId !== null) message.userId = userId;
    if (partial.properties !== undefined) {
      const withTexts = this.#debug || this.#options.text === 'send';
      const properties = redactKeys(withTexts ? addTextLengths(partial.properties) : redactTexts(partial.properties), this.#options.redactProperties);
      if (this.#debug) properties['debug_mode'] = true;
      message.properties = properties;
    }
    if (this.#debug) console.log('[chatmeter]', partial.event ?? partial.type, message);
    for (const listener of this.#listeners) this.#guard(() => listener(message));
    this.#delivery.enqueue(message);
    return messageId;
  }

  #guard<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      warn('call ignored', error);
      return undefined;
    }
  }
}
