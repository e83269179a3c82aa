/**
 * Event names of RudderStack's AI Product spec. Kept apart from the zod
 * schemas so the browser bundle can use the names without shipping zod.
 */
export const AI_EVENT = {
  promptCreated: 'ai_user_prompt_created',
  responseReceived: 'ai_llm_response_received',
  userAction: 'ai_user_action',
} as const;

export type AiEventName = (typeof AI_EVENT)[keyof typeof AI_EVENT];

/**
 * The SDK's own delivery report: what it queued, sent, retried and dropped
 * since its previous report on this page (see `sdkHealthPropertiesSchema`).
 */
export const SDK_HEALTH_EVENT = 'chatmeter_sdk_health';
