import type { PriceTable } from './price-table.js';

/**
 * Who and what a server-side LLM call belongs to. Wrap the client (or the
 * model) per request with that request's user and conversation: wrapping is
 * cheap and leaves the original untouched.
 */
export interface LlmCallOptions {
  /**
   * The end user the call is made for: the recorded response carries it as
   * its `userId` (`trackResponse({ userId })`), with no identify call, so
   * concurrent requests of different users are each attributed right and the
   * instance's anonymous id is linked to none of them. Without it the event
   * carries the chatmeter instance's current identity.
   */
  userId?: string;
  /** Without it each call counts as a conversation of its own (never the process-wide current one). */
  conversationId?: string;
  /** The prompt this call answers; defaults to the conversation's latest prompt tracked by this chatmeter instance. */
  promptNumber?: number;
  /** Per-model prices (USD per million tokens) on top of the bundled prices.json, e.g. `{ 'my-model': { input: 1, output: 2 } }`. */
  prices?: PriceTable;
}
