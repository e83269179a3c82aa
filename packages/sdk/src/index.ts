/**
 * @chatmeter/sdk: usage analytics for AI chat products, in the browser and in Node.
 *
 *   const chatmeter = createChatmeter({ writeKey, endpoint: 'https://chatmeter.example.com' });
 *   const turn = chatmeter.trackPrompt({ text });
 *   turn.response({ model: 'gpt-4o-mini', tokens: { prompt: 12, completion: 80 } });
 */
import { createClient, type Chatmeter, type ChatmeterInternals } from './client.js';
import type { ChatmeterOptions } from './options.js';
import { createDisabledChatmeter } from './disabled.js';

export function createChatmeter(options: ChatmeterOptions, internals?: ChatmeterInternals): Chatmeter & { shutdown(): void } {
  try {
    return createClient(options, internals);
  } catch (error) {
    // Misconfiguration must not break the host page: report it and track nothing.
    console.error(error instanceof Error ? error.message : error);
    return createDisabledChatmeter();
  }
}

export { SDK_VERSION } from './version.js';
export type { Chatmeter, ChatmeterInternals } from './client.js';
export type { ChatmeterOptions, TextMode } from './options.js';
export type { ActionInput, ActionType, PromptInput, Properties, ResponseInput, TrackedResponse, TrackResponseInput, Turn } from './types.js';
export type { MessageInput } from './protocol/index.js';
