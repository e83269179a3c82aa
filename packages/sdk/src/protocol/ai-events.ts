import { z } from 'zod';
import { AI_EVENT, type AiEventName } from './event-names.js';

export { AI_EVENT, type AiEventName } from './event-names.js';

/**
 * The three AI events of RudderStack's AI Product spec, snake_case on the wire.
 * Unknown properties are kept (looseObject): clients may send more than we model.
 */

const conversationId = z.string().min(1, 'must be a non-empty string').max(256);

/*
 * Upper bounds no real response reaches. They keep sums exact and far from
 * 64-bit overflow (a billion responses at the count cap still fit), and turn
 * a client's garbage into a clear per-message rejection.
 */

/** Tokens of one response, characters of one text. */
export const MAX_COUNT = 1_000_000_000;
/** USD per response. */
export const MAX_COST_PER_RESPONSE = 1_000_000;
/** One day, in ms: beyond it a "response" is not a response. */
export const MAX_LATENCY_MS = 86_400_000;

const count = z.number().int('must be an integer').nonnegative('must be ≥ 0').max(MAX_COUNT, `must be ≤ ${MAX_COUNT}`);
const promptNumber = z.number().int('must be an integer').positive('must be ≥ 1');

/** Present on any event: debug-mode events keep text and are excluded from metrics by default. */
const debugFields = { debug_mode: z.boolean().optional() };

export const inputMethodSchema = z.enum(['text', 'voice', 'button']);
export const responseStatusSchema = z.enum(['success', 'error', 'timeout']);
export const feedbackTypeSchema = z.enum(['rating', 'thumbs']);

/** Known action types; any other non-empty string is accepted too (the spec's list is open). */
export const KNOWN_ACTION_TYPES = ['feedback_given', 'shared', 'reported', 'copied_response', 'regenerated'] as const;

export const promptCreatedPropertiesSchema = z.looseObject({
  conversation_id: conversationId,
  prompt_text: z.string().optional(),
  prompt_length: count.optional(),
  input_method: inputMethodSchema.optional(),
  prompt_number: promptNumber.optional(),
  ...debugFields,
});

export const tokenCountSchema = z.looseObject({
  prompt_tokens: count.optional(),
  completion_tokens: count.optional(),
  total_tokens: count.optional(),
});

export const responseReceivedPropertiesSchema = z.looseObject({
  conversation_id: conversationId,
  prompt_number: promptNumber.optional(),
  response_text: z.string().optional(),
  response_length: count.optional(),
  response_status: responseStatusSchema.optional(),
  latency_ms: z.number().nonnegative('must be ≥ 0').max(MAX_LATENCY_MS, `must be ≤ ${MAX_LATENCY_MS} (one day)`).optional(),
  token_count: tokenCountSchema.optional(),
  cost: z.number().nonnegative('must be ≥ 0').max(MAX_COST_PER_RESPONSE, `must be ≤ ${MAX_COST_PER_RESPONSE} (USD per response)`).optional(),
  model_used: z.string().max(256).optional(),
  classified_intent: z.string().max(128).optional(),
  error_type: z.string().max(256).optional(),
  error_message: z.string().optional(),
  ...debugFields,
});

export const actionDetailsSchema = z.looseObject({
  feedback_type: feedbackTypeSchema.optional(),
  feedback_value: z.union([z.number(), z.boolean(), z.string().max(64)]).optional(),
  feedback_text: z.string().optional(),
});

export const userActionPropertiesSchema = z.looseObject({
  conversation_id: conversationId,
  prompt_number: promptNumber.optional(),
  action_type: z.string().min(1, 'must be a non-empty string').max(64),
  action_details: actionDetailsSchema.optional(),
  classified_intent: z.string().max(128).optional(),
  ...debugFields,
});

/** Property schema for each AI event name. */
export const aiEventPropertiesSchemas = {
  [AI_EVENT.promptCreated]: promptCreatedPropertiesSchema,
  [AI_EVENT.responseReceived]: responseReceivedPropertiesSchema,
  [AI_EVENT.userAction]: userActionPropertiesSchema,
} as const;

/** What a client sends as `properties` of `ai_user_prompt_created`. */
export type PromptCreatedProperties = z.input<typeof promptCreatedPropertiesSchema>;
/** What a client sends as `properties` of `ai_llm_response_received`. */
export type ResponseReceivedProperties = z.input<typeof responseReceivedPropertiesSchema>;
/** What a client sends as `properties` of `ai_user_action`. */
export type UserActionProperties = z.input<typeof userActionPropertiesSchema>;
export type InputMethod = z.infer<typeof inputMethodSchema>;
export type ResponseStatus = z.infer<typeof responseStatusSchema>;
export type FeedbackType = z.infer<typeof feedbackTypeSchema>;

export function isAiEventName(name: string): name is AiEventName {
  return name === AI_EVENT.promptCreated || name === AI_EVENT.responseReceived || name === AI_EVENT.userAction;
}
