import type { EventRecord } from '../../src/store/event-record.js';

/**
 * A prompt record with every optional field empty, so that a test names only
 * the fields it exercises: `{ ...fields }` overrides any of them.
 */
export function promptRecord(fields: Pick<EventRecord, 'messageId' | 'userId' | 'timestamp'> & Partial<EventRecord>): EventRecord {
  return {
    writeKey: 'wk', type: 'track', event: 'ai_user_prompt_created', anonymousId: null, previousId: null,
    sessionId: null, conversationId: null, promptNumber: null, originalTimestamp: null, sentAt: null, receivedAt: fields.timestamp,
    latencyMs: null, timeToFirstTokenMs: null, tokensPerSecond: null, responseId: null, regeneratedFrom: null, promptTokens: null,
    completionTokens: null, totalTokens: null, cost: null, model: null, status: null, errorType: null, intent: null, actionType: null,
    feedbackType: null, feedbackValue: null, rating: null, thumbsUp: null, debug: false, bot: false, internal: false, properties: {}, context: {},
    acquisitionChannel: null, traits: null, extra: {}, pendingPromptText: null, ingestClassificationUsage: null, ...fields,
  };
}
