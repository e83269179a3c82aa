import type { z } from 'zod';
import { aiEventPropertiesSchemas, isAiEventName } from './ai-events.js';
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
  if (message.type === 'track' && message.event !== undefined && isAiEventName(message.event)) {
    const properties = aiEventPropertiesSchemas[message.event].safeParse(message.properties ?? {});
    if (!properties.success) return { ok: false, errors: toFieldErrors(properties.error.issues, ['properties']) };
  }
  return { ok: true, message };
}
