/** What replaces a text in production mode (the collector recognises it). */
export const REDACTED = '[redacted]';

const TEXT_FIELDS = ['prompt_text', 'response_text', 'error_message'] as const;

/**
 * Replaces free texts by `[redacted]` and records the prompt and response
 * lengths. Runs before an event is queued, so no storage ever sees the text.
 */
export function redactTexts(properties: Record<string, unknown>): Record<string, unknown> {
  const redacted: Record<string, unknown> = { ...properties };
  for (const field of TEXT_FIELDS) {
    const text = properties[field];
    if (typeof text !== 'string') continue;
    if (field !== 'error_message') {
      const lengthField = field === 'prompt_text' ? 'prompt_length' : 'response_length';
      redacted[lengthField] ??= text.length;
    }
    redacted[field] = REDACTED;
  }
  const details = properties['action_details'];
  if (typeof details === 'object' && details !== null && typeof (details as Record<string, unknown>)['feedback_text'] === 'string') {
    redacted['action_details'] = { ...details, feedback_text: REDACTED };
  }
  return redacted;
}

/** Lengths are useful in every mode; in `send` and debug mode the text stays. */
export function addTextLengths(properties: Record<string, unknown>): Record<string, unknown> {
  const withLengths: Record<string, unknown> = { ...properties };
  if (typeof properties['prompt_text'] === 'string') withLengths['prompt_length'] ??= properties['prompt_text'].length;
  if (typeof properties['response_text'] === 'string') withLengths['response_length'] ??= properties['response_text'].length;
  return withLengths;
}

/** Replaces the values of the named top-level keys that are present (none is added). Mutates and returns `properties`. */
export function redactKeys(properties: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  for (const key of keys) if (Object.hasOwn(properties, key)) properties[key] = REDACTED;
  return properties;
}
