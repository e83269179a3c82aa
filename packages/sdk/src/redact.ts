import type { TextMode } from './options.js';

/** What replaces a text in production mode (the collector recognises it). */
export const REDACTED = '[redacted]';

const TEXT_FIELDS = ['prompt_text', 'response_text', 'error_message'] as const;

/**
 * Applies a text mode to an event's properties before it is queued, so no
 * storage ever sees a text the mode keeps in the browser. Every mode records
 * `prompt_length` / `response_length`. `send` keeps every text; `classify`
 * keeps only the prompt text (the collector classifies it and stores none);
 * `redact` keeps none. Texts not kept, feedback texts and error messages
 * included, become `[redacted]`.
 */
export function applyTextMode(properties: Record<string, unknown>, mode: TextMode): Record<string, unknown> {
  const applied: Record<string, unknown> = { ...properties };
  for (const field of TEXT_FIELDS) {
    const text = properties[field];
    if (typeof text !== 'string') continue;
    // prompt_text → prompt_length, response_text → response_length
    if (field !== 'error_message') applied[field.replace('text', 'length')] ??= text.length;
    if (mode !== 'send' && !(mode === 'classify' && field === 'prompt_text')) applied[field] = REDACTED;
  }
  const details = properties['action_details'] as Record<string, unknown> | undefined;
  if (mode !== 'send' && typeof details?.['feedback_text'] === 'string') applied['action_details'] = { ...details, feedback_text: REDACTED };
  return applied;
}

/** Replaces the values of the named top-level keys that are present (none is added). Mutates and returns `properties`. */
export function redactKeys(properties: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  for (const key of keys) if (Object.hasOwn(properties, key)) properties[key] = REDACTED;
  return properties;
}
