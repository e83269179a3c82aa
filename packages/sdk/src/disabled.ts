import type { Chatmeter } from './client.js';
import { uuid } from './ids.js';

/** What `createChatmeter` returns when its options are invalid: every call does nothing. */
export function createDisabledChatmeter(): Chatmeter & { shutdown(): void } {
  const nothing = (): void => undefined;
  return {
    identify: nothing,
    reset: nothing,
    optOut: nothing,
    optIn: nothing,
    startConversation: () => uuid(),
    trackPrompt: () => ({ conversationId: uuid(), promptNumber: 1, messageId: uuid(), response: nothing }),
    trackResponse: nothing,
    trackAction: nothing,
    track: nothing,
    flush: () => Promise.resolve(),
    setDebug: nothing,
    onEvent: () => nothing,
    shutdown: nothing,
  };
}
