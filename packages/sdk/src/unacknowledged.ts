import type { MessageInput } from './protocol/index.js';

/**
 * This tab's queued events not yet acknowledged, newest last: what the
 * beacon sends when the page is hidden, read synchronously because the
 * asynchronous queue may not get another chance.
 *
 * Bounded: events that another tab sent, or that the queue dropped, are
 * never acknowledged here, so without a bound the set would grow for the
 * life of the page. The beacon sends one batch at most (`limit`, within
 * 64 KB); older events wait in the queue for the next page anyway.
 */
export class UnacknowledgedEvents {
  readonly #events = new Map<string, MessageInput>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#events.size;
  }

  add(message: MessageInput): void {
    this.#events.set(String(message.messageId), message);
    // Maps iterate in insertion order: the first key is the oldest.
    if (this.#events.size > this.#limit) this.#events.delete(this.#events.keys().next().value!);
  }

  acknowledge(messageId: string): void {
    this.#events.delete(messageId);
  }

  clear(): void {
    this.#events.clear();
  }

  /** Oldest first. */
  list(): MessageInput[] {
    return [...this.#events.values()];
  }
}
