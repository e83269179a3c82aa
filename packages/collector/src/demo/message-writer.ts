import { CHATMETER_SDK_LIBRARY } from '../metrics/sdk-library.js';
import { SDK_HEALTH_EVENT, type MessageInput, type SdkHealthProperties } from '../protocol/index.js';

/**
 * `context.library` of demo traffic: the Chatmeter SDK's, as the SDK sends it
 * on every event, so the Data delivery tile compares its health reports with
 * the events stored under that name. Demo messages are told apart by their
 * ids and namespace, not by their library.
 */
export const DEMO_LIBRARY = { name: CHATMETER_SDK_LIBRARY, version: '0.1.0' } as const;

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
  #healthReports = 0;

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

  /**
   * A `chatmeter_sdk_health` report, placed among the messages already
   * written by its time (reports are written once their session is over).
   * Its id comes from a sequence of its own, so the events' ids stay as
   * they were before the demo sent reports.
   */
  sdkHealth(at: number, properties: SdkHealthProperties): void {
    this.#healthReports += 1;
    const report = { type: 'track', event: SDK_HEALTH_EVENT, ...this.#common(at, `h${this.#healthReports}`), properties } as const;
    let position = this.messages.length;
    while (position > 0 && Date.parse(String(this.messages[position - 1]?.timestamp)) > at) position -= 1;
    this.messages.splice(position, 0, report);
  }

  #common(at: number, id = String((this.#sequence += 1))): Omit<MessageInput, 'type'> {
    return {
      // Deterministic, so loading the same demo twice stores nothing twice.
      messageId: `${this.#messageIdPrefix}-${id}`,
      ...(this.#userId === undefined ? {} : { userId: this.#userId }),
      anonymousId: this.#anonymousId,
      timestamp: new Date(at).toISOString(),
      context: { sessionId: this.#sessionId, library: DEMO_LIBRARY, timezone: this.#timezone },
    };
  }
}
