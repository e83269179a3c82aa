import type { MessageInput } from './protocol/index.js';

/**
 * This tab's queued events not yet acknowledged, by messageId, oldest
 * first: what the beacon sends when the page is hidden, read synchronously
 * because the asynchronous queue may not get another chance.
 *
 * Bounded: events that another tab sent, or that the queue dropped, are
 * never acknowledged here, so without a bound the map would grow for the
 * life of the page. The beacon sends one batch at most (`limit`, within
 * 64 KB); older events wait in the queue for the next page anyway.
 */
export class UnacknowledgedEvents extends Map<string, MessageInput> {
  readonly #limit: number;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  /** Adds an event, forgetting the oldest beyond the limit (maps iterate in insertion order). */
  override set(messageId: string, message: MessageInput): this {
    super.set(messageId, message);
    if (this.size > this.#limit) this.delete(this.keys().next().value!);
    return this;
  }
}
