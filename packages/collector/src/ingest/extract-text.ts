import { AI_EVENT } from '../protocol/index.js';
import { scrubPii } from '../intent/scrub-pii.js';

/** What the SDK puts in place of text in production mode. */
export const REDACTED = '[redacted]';

/** Free-text properties that may hold personal data. */
const TEXT_FIELDS = ['prompt_text', 'response_text', 'error_message'] as const;

export interface ExtractedText {
  /** Properties safe to store: texts removed, or PII-scrubbed when text is kept. */
  properties: Record<string, unknown>;
  /** Raw prompt text to classify in the background (never stored with the event). */
  promptText: string | null;
}

/**
 * Takes raw texts out of an event before it is stored. Analytics storage
 * keeps texts only for debug-mode events and dev write keys, and then with
 * PII scrubbed; otherwise the prompt goes to the classification queue and
 * every text is dropped, keeping only its length.
 */
export function extractText(event: string | null, properties: Record<string, unknown>, keepText: boolean): ExtractedText {
  const safe: Record<string, unknown> = { ...properties };
  const rawPrompt = event === AI_EVENT.promptCreated ? realText(properties['prompt_text']) : null;
  if (rawPrompt !== null && safe['prompt_length'] === undefined) safe['prompt_length'] = rawPrompt.length;
  const rawResponse = event === AI_EVENT.responseReceived ? realText(properties['response_text']) : null;
  if (rawResponse !== null && safe['response_length'] === undefined) safe['response_length'] = rawResponse.length;

  for (const field of TEXT_FIELDS) safe[field] = keptText(properties[field], keepText);
  const details = properties['action_details'];
  if (isRecord(details) && details['feedback_text'] !== undefined) {
    safe['action_details'] = { ...details, feedback_text: keptText(details['feedback_text'], keepText) };
  }
  for (const field of TEXT_FIELDS) if (safe[field] === undefined) delete safe[field];
  return { properties: safe, promptText: rawPrompt };
}

function keptText(value: unknown, keepText: boolean): unknown {
  if (typeof value !== 'string') return value;
  if (realText(value) === null) return value;
  return keepText ? scrubPii(value) : undefined;
}

/** A text worth classifying: present, not empty and not already redacted. */
function realText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === REDACTED ? null : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
