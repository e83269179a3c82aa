import type { MessageInput } from '../protocol/index.js';

/** Marks demo traffic in `context.library`, as an SDK would name itself. */
export const DEMO_LIBRARY = { name: 'chatmeter-demo', version: '1' } as const;

/**
 * Turns one simulated user's actions into Segment wire messages, carrying
 * the identity and session an SDK would attach: `anonymousId` always (a
 * browser has one from the first visit), `userId` once identified.
 */
export class MessageWriter {
  readonly messages: MessageInput[] = [];
  readonly #messageIdPrefix: string;
  readonly #anonymousId: string;
  readonly #timezone: string;
  #userId: string | undefined;
  #sessionId = '';
  #sequence = 0;

  constructor(messageIdPrefix: string, anonymousId: string, timezone: string) {
    this.#messageIdPrefix = messageIdPrefix;
    this.#anonymousId = anonymousId;
    this.#timezone = timezone;
  }

  get identified(): boolean {
    return this.#userId !== undefined;
  }

  startSession(sessionId: string): void {
    this.#sessionId = sessionId;
  }

  identify(userId: string, at: number, traits: Record<string, unknown>): void {
    this.#userId = userId;
    this.messages.push({ type: 'identify', ...this.#common(at), traits });
  }

  track(event: string, at: number, properties: Record<string, unknown>): void {
    this.messages.push({ type: 'track', event, ...this.#common(at), properties });
  }

  #common(at: number): Omit<MessageInput, 'type'> {
    this.#sequence += 1;
    return {
      // Deterministic, so loading the same demo twice stores nothing twice.
      messageId: `${this.#messageIdPrefix}-${this.#sequence}`,
      ...(this.#userId === undefined ? {} : { userId: this.#userId }),
      anonymousId: this.#anonymousId,
      timestamp: new Date(at).toISOString(),
      context: { sessionId: this.#sessionId, library: DEMO_LIBRARY, timezone: this.#timezone },
    };
  }
}
