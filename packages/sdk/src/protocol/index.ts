/**
 * The wire protocol: the one source of truth for what clients send.
 * Types are inferred from the zod schemas; the browser SDK imports types only.
 */
export {
  AI_EVENT,
  KNOWN_ACTION_TYPES,
  SDK_HEALTH_EVENT,
  MAX_COST_PER_RESPONSE,
  MAX_COUNT,
  MAX_LATENCY_MS,
  actionDetailsSchema,
  aiEventPropertiesSchemas,
  feedbackTypeSchema,
  inputMethodSchema,
  isAiEventName,
  promptCreatedPropertiesSchema,
  responseReceivedPropertiesSchema,
  responseStatusSchema,
  sdkHealthPropertiesSchema,
  textModeSchema,
  tokenCountSchema,
  userActionPropertiesSchema,
} from './ai-events.js';
export type {
  AiEventName,
  FeedbackType,
  InputMethod,
  PromptCreatedProperties,
  ResponseReceivedProperties,
  ResponseStatus,
  SdkHealthProperties,
  TextMode,
  UserActionProperties,
} from './ai-events.js';
export {
  MAX_BATCH_MESSAGES,
  MAX_DETAILED_REJECTIONS,
  MAX_ID_LENGTH,
  MAX_MESSAGE_BYTES,
  MAX_REQUEST_BYTES,
} from './limits.js';
export { MESSAGE_TYPES, batchEnvelopeSchema, contextSchema, messageSchema, timestampSchema } from './messages.js';
export type {
  BatchEnvelope,
  BatchInput,
  BatchResult,
  ErrorBody,
  FieldError,
  Message,
  MessageInput,
  MessageType,
  MessageWarning,
  RejectedMessage,
} from './messages.js';
export { toFieldErrors, validateMessage } from './validate-message.js';
export type { MessageValidation } from './validate-message.js';
