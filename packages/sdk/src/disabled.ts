import type { Chatmeter } from './client.js';
import { uuid } from './ids.js';
import type { TrackedResponse } from './types.js';

/** What `createChatmeter` returns when its options are invalid: every call does nothing. */
export function createDisabledChatmeter(): Chatmeter & { shutdown(): void } {
  const nothing = (): void => undefined;
  const response = (): TrackedResponse => ({ responseId: uuid(), action: nothing });
  return {
    identify: nothing,
    reset: nothing,
    optOut: nothing,
    optIn: nothing,
    startConversation: () => uuid(),
    trackPrompt: () => ({ conversationId: uuid(), promptNumber: 1, messageId: uuid(), firstToken: nothing, regenerate: nothing, response }),
    trackResponse: response,
    trackAction: nothing,
    track: nothing,
    flush: () => Promise.resolve(),
    setDebug: nothing,
    onEvent: () => nothing,
    shutdown: nothing,
  };
}
