import type { PromptCreatedProperties, ResponseReceivedProperties, UserActionProperties } from './protocol/index.js';
import type { ActionInput, PromptInput, TrackResponseInput } from './types.js';

/** camelCase SDK input → snake_case wire properties of the AI product spec. */

export function promptProperties(input: PromptInput, conversationId: string, promptNumber: number): PromptCreatedProperties {
  return compact({
    ...input.properties,
    conversation_id: conversationId,
    prompt_number: promptNumber,
    prompt_text: input.text,
    input_method: input.inputMethod,
    classified_intent: input.classifiedIntent,
  });
}

export function responseProperties(input: TrackResponseInput, conversationId: string, promptNumber: number | undefined): ResponseReceivedProperties {
  const tokens = input.tokens;
  return compact({
    ...input.properties,
    conversation_id: conversationId,
    prompt_number: promptNumber,
    response_text: input.text,
    response_status: input.status ?? (input.errorType === undefined ? 'success' : 'error'),
    latency_ms: input.latencyMs,
    time_to_first_token_ms: input.timeToFirstTokenMs,
    tokens_per_second: input.tokensPerSecond,
    response_id: input.responseId,
    regenerated_from: input.regeneratedFrom,
    token_count:
      tokens === undefined
        ? undefined
        : compact({
            prompt_tokens: tokens.prompt,
            completion_tokens: tokens.completion,
            total_tokens: tokens.total ?? (tokens.prompt ?? 0) + (tokens.completion ?? 0),
          }),
    cost: input.cost,
    model_used: input.model,
    classified_intent: input.classifiedIntent,
    error_type: input.errorType,
    error_message: input.errorMessage,
  });
}

export function actionProperties(input: ActionInput, conversationId: string, promptNumber: number | undefined): UserActionProperties {
  const feedback = input.feedback;
  return compact({
    ...input.properties,
    conversation_id: conversationId,
    prompt_number: promptNumber,
    response_id: input.responseId,
    action_type: input.actionType,
    action_details:
      feedback === undefined
        ? undefined
        : compact({ feedback_type: feedback.type, feedback_value: feedback.value, feedback_text: feedback.text }),
    classified_intent: input.classifiedIntent,
  });
}

/** Drops undefined values so the wire carries only what was given. */
function compact<T extends Record<string, unknown>>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}
