import type { z } from 'zod';
import { SDK_HEALTH_EVENT, aiEventPropertiesSchemas, isAiEventName, sdkHealthPropertiesSchema } from './ai-events.js';
import { messageSchema, type FieldError, type Message } from './messages.js';

export type MessageValidation = { ok: true; message: Message } | { ok: false; errors: FieldError[] };

/** Turns zod issues into `{ path, message }` pairs with dotted paths. */
export function toFieldErrors(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldError[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(message)',
    message: issue.message,
  }));
}

/**
 * Validates one message: the common Segment fields, then, for the three AI
 * events, their properties. Other track events are accepted as they are.
 */
export function validateMessage(raw: unknown): MessageValidation {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error.issues) };
  const message = parsed.data;
  const schema = message.type === 'track' ? propertiesSchemaOf(message.event) : undefined;
  if (schema !== undefined) {
    const properties = schema.safeParse(message.properties ?? {});
    if (!properties.success) return { ok: false, errors: toFieldErrors(properties.error.issues, ['properties']) };
  }
  return { ok: true, message };
}

/** The event names whose properties the protocol defines; other track events are free-form. */
function propertiesSchemaOf(event: string | undefined): z.ZodType | undefined {
  if (event === undefined) return undefined;
  if (isAiEventName(event)) return aiEventPropertiesSchemas[event];
  return event === SDK_HEALTH_EVENT ? sdkHealthPropertiesSchema : undefined;
}
