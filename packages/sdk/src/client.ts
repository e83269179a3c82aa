import { ConversationTracker } from './conversations.js';
import { createDelivery, type DeliveryHealth } from './delivery.js';
import { onPageLifecycle, pageSearch } from './global-scope.js';
import { createIdentity } from './identity.js';
import { uuid } from './ids.js';
import { resolveOptions, type ChatmeterOptions, type ResolvedOptions } from './options.js';
import { firstTouchCampaign } from './campaign.js';
import { createPageContext } from './page-context.js';
import { createHealthReports } from './health-report.js';
import { AI_EVENT, SDK_HEALTH_EVENT } from './protocol/event-names.js';
import type { MessageInput } from './protocol/index.js';
import { ResilientQueue, type EventQueue } from './queue.js';
import { applyTextMode, redactKeys } from './redact.js';
import { SessionTracker } from './session.js';
import { webStorage, type KeyValueStorage } from './storage.js';
import type { ActionInput, PromptInput, Properties, TrackedResponse, TrackResponseInput, Turn } from './types.js';
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
  /** Tracks `ai_llm_response_received`; returns its response id and actions bound to it. */
  trackResponse(input: TrackResponseInput): TrackedResponse;
  trackAction(input: ActionInput): void;
  track(event: string, properties?: Properties): void;
  /** Sends every waiting event now; resolves when done or when sending must wait (offline, collector down). */
  flush(): Promise<void>;
  setDebug(on: boolean): void;
  /** Calls `listener` with each event as it is queued (after redaction); returns an unsubscribe function. */
  onEvent(listener: (message: MessageInput) => void): () => void;
}

/** What the script-tag entry and `createChatmeter` get: the public API plus lifecycle. */
export interface ChatmeterClient extends Chatmeter {
  /** Counts and queue state of delivery since the page loaded (not part of the public API yet). */
  deliveryHealth(): DeliveryHealth;
  /** Stops timers and listeners and writes state (tests, Node processes that want to exit). */
  shutdown(): void;
}

type MessageParts = { type: 'track' | 'identify'; event?: string; properties?: Properties; traits?: Properties; userId?: string };

/** Wires identity → session → conversation → redaction → delivery; holds no other logic. Throws on invalid options. */
export function createClient(options: ChatmeterOptions, internals: ChatmeterInternals = {}): ChatmeterClient {
  const resolved = resolveOptions(options);
  const local = internals.storage?.local ?? webStorage('localStorage');
  const now = internals.now ?? Date.now;
  const identity = createIdentity(local);
  const session = new SessionTracker(local, resolved.sessionTimeoutMinutes * 60_000, now);
  const conversations = new ConversationTracker(internals.storage?.session ?? webStorage('sessionStorage'), now);
  const pageContext = createPageContext(resolved);
  const campaign = firstTouchCampaign(local);
  const queue = internals.queue ?? new ResilientQueue(resolved.maxQueueSize);
  /** The session that got its health report: one per session, after its first delivered batch. */
  let healthReportedSession: string | undefined;
  const delivery = createDelivery(resolved, queue, now, internals.random ?? Math.random, () => identity.optedOut, () => {
    const sessionId = session.current();
    if (sessionId !== healthReportedSession && reportHealth()) healthReportedSession = sessionId;
  });
  const nextHealthReport = createHealthReports(delivery.health, now);
  const listeners = new Set<(message: MessageInput) => void>();
  let debug = resolved.debug || local.get(DEBUG_KEY) === '1' || new URLSearchParams(pageSearch()).get(DEBUG_KEY) === '1';

  /** Public methods never throw into the host page: failures are logged and the call does nothing. */
  const guard = <T>(work: () => T): T | undefined => {
    try {
      return work();
    } catch (error) {
      warn('call ignored', error);
      return undefined;
    }
  };

  const persist = (): void => {
    session.persist();
    conversations.persist();
  };

  /**
   * Builds the message, applies the text mode, and hands it to delivery.
   * Returns its messageId. A health report (`chatmeter_sdk_health`) is not
   * user activity: it does not extend or start a session.
   */
  const enqueue = (partial: MessageParts): string => {
    const messageId = uuid();
    if (identity.optedOut) return messageId;
    const isHealthReport = partial.event === SDK_HEALTH_EVENT;
    const message: MessageInput = {
      userId: identity.userId,
      ...partial,
      messageId,
      anonymousId: identity.anonymousId,
      timestamp: new Date(now()).toISOString(),
      context: { sessionId: isHealthReport ? session.current() : session.touch(), ...pageContext(), ...(campaign && { campaign }) },
    };
    if (message.userId === null) delete message.userId;
    if (partial.properties !== undefined) {
      // Debug mode sends every text, as the developer wants to see it.
      const textMode = debug ? 'send' : resolved.text;
      const properties = redactKeys(applyTextMode(partial.properties, textMode), resolved.redactProperties);
      if (partial.event === AI_EVENT.promptCreated) properties['text_mode'] = textMode;
      if (debug) properties['debug_mode'] = true;
      message.properties = properties;
    }
    // Throws (the call is ignored) on what JSON cannot carry, a circular or BigInt
    // value: queued, it would fail every later send and no event would leave again.
    JSON.stringify(message);
    if (debug) console.log('[chatmeter]', partial.event ?? partial.type, message);
    for (const listener of listeners) guard(() => listener(message));
    delivery.enqueue(message);
    return messageId;
  };

  /** Queues a health report when one is due (see createHealthReports); true when it did. */
  const reportHealth = (): boolean => {
    const properties = nextHealthReport();
    if (properties !== undefined) enqueue({ type: 'track', event: SDK_HEALTH_EVENT, properties });
    return properties !== undefined;
  };

  /**
   * A response or action: in the given conversation (else the current one,
   * else a new one), answering its latest prompt unless told. Returns the
   * conversation and prompt number it was tracked in.
   */
  const trackInConversation = <T extends { conversationId?: string | undefined; promptNumber?: number | undefined }>(
    input: T,
    event: string,
    toProperties: (input: T, conversationId: string, promptNumber: number | undefined) => Properties,
    userId?: string,
  ): { conversationId?: string | undefined; promptNumber?: number | undefined } =>
    guard(() => {
      const conversationId = input.conversationId ?? conversations.current() ?? conversations.start();
      const promptNumber = input.promptNumber ?? (conversations.lastPrompt(conversationId) || undefined);
      enqueue({ type: 'track', event, properties: toProperties(input, conversationId, promptNumber), ...(userId !== undefined && { userId }) });
      return { conversationId, promptNumber };
    }) ?? {};

  const stopListening = onPageLifecycle({
    online: () => delivery.online(),
    // The last moment that is sure to run: write the in-memory state, report delivery health, then beacon what is unsent.
    hidden: () => guard(() => (persist(), reportHealth(), delivery.hidden())),
  });

  const client: ChatmeterClient = {
    identify(userId, traits) {
      guard(() => {
        requireName(userId, 'identify(userId)');
        identity.identify(userId);
        enqueue({ type: 'identify', traits: { ...traits } });
      });
    },
    reset() {
      guard(() => {
        identity.reset();
        session.end();
        conversations.clear();
      });
    },
    optOut() {
      guard(() => {
        identity.setOptedOut(true);
        session.end();
        delivery.clear();
      });
    },
    optIn() {
      guard(() => identity.setOptedOut(false));
    },
    startConversation: () => guard(() => conversations.start()) ?? uuid(),
    trackPrompt(input) {
      /** Where this turn's next answer is timed from: the prompt, then regenerate() or the previous answer. */
      let startedAt = now();
      let firstTokenAt: number | undefined;
      let previousResponseId: string | undefined;
      const turn = guard(() => {
        const { conversationId, promptNumber } = conversations.nextPrompt(input?.conversationId);
        const properties = promptProperties(input ?? {}, conversationId, promptNumber);
        return { conversationId, promptNumber, messageId: enqueue({ type: 'track', event: AI_EVENT.promptCreated, properties }) };
      }) ?? { conversationId: uuid(), promptNumber: 1, messageId: uuid() };
      return {
        ...turn,
        firstToken() {
          firstTokenAt ??= now();
        },
        regenerate() {
          startedAt = now();
          firstTokenAt = undefined;
        },
        response(response = {}) {
          const endedAt = now();
          // `?.`: plain JavaScript may pass null, which the default does not replace.
          const completionTokens = response?.tokens?.completion;
          const streamedSeconds = firstTokenAt === undefined ? 0 : (endedAt - firstTokenAt) / 1000;
          const answer = client.trackResponse({
            latencyMs: Math.max(0, endedAt - startedAt),
            // Streaming: prompt → first token, and completion tokens per second from first token to last.
            ...(firstTokenAt !== undefined && { timeToFirstTokenMs: Math.max(0, firstTokenAt - startedAt) }),
            ...(completionTokens !== undefined && streamedSeconds > 0 && { tokensPerSecond: Math.round((completionTokens / streamedSeconds) * 100) / 100 }),
            regeneratedFrom: previousResponseId,
            ...response,
            conversationId: turn.conversationId,
            promptNumber: turn.promptNumber,
          });
          previousResponseId = answer.responseId;
          startedAt = endedAt;
          firstTokenAt = undefined;
          return answer;
        },
      };
    },
    trackResponse(input) {
      const responseId = input?.responseId ?? uuid();
      const { conversationId, promptNumber } = trackInConversation({ ...input, responseId }, AI_EVENT.responseReceived, responseProperties, input?.userId);
      return {
        responseId,
        action: (action) => client.trackAction({ ...action, responseId, conversationId, promptNumber }),
      };
    },
    trackAction(input) {
      trackInConversation(input, AI_EVENT.userAction, (action, conversationId, promptNumber) => {
        requireName(action.actionType, 'trackAction({ actionType })');
        return actionProperties(action, conversationId, promptNumber);
      });
    },
    track(event, properties) {
      guard(() => {
        requireName(event, 'track(event)');
        enqueue({ type: 'track', event, properties: { ...properties } });
      });
    },
    async flush() {
      try {
        await delivery.flush();
      } catch (error) {
        warn('flush failed', error);
      }
    },
    setDebug(on) {
      debug = on === true;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deliveryHealth: () => delivery.health(),
    shutdown() {
      delivery.shutdown();
      stopListening();
      persist();
    },
  };
  return client;
}

/** A required name (user id, event, action type) is missing: the call is ignored with this message. */
function requireName(value: unknown, argument: string): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${argument} must be a non-empty string, got ${JSON.stringify(value)}`);
}
