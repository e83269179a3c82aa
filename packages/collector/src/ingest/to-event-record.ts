import { AI_EVENT, type Message } from '../protocol/index.js';
import type { EventRecord } from '../store/event-record.js';
import { acquisitionChannel } from './acquisition-channel.js';
import { correctEventTime } from './event-time.js';
import { extractText } from './extract-text.js';
import type { TrafficClassifier } from './traffic-class.js';
import { asRecord } from './json-values.js';

/** Top-level fields we model; anything else is kept verbatim in `extra`. */
const KNOWN_FIELDS = new Set([
  'type', 'event', 'name', 'messageId', 'userId', 'anonymousId', 'previousId', 'groupId', 'timestamp',
  'originalTimestamp', 'sentAt', 'context', 'properties', 'traits', 'writeKey', 'receivedAt',
]);

export interface RecordContext {
  writeKey: string;
  /** Dev write keys keep (PII-scrubbed) texts like debug-mode events. */
  devKey: boolean;
  receivedAt: number;
  /** Batch-level sentAt, used when the message has none. */
  batchSentAt: string | undefined;
  /** Batch-level context merged under the message's own. */
  batchContext: Record<string, unknown> | undefined;
  messageId: string;
  /** Tells bots and internal users (ingest/traffic-class.ts). */
  classifyTraffic: TrafficClassifier;
}

/** A stored event and, when its time had to be replaced, why (reported to the client as a warning). */
export interface ConvertedEvent {
  record: EventRecord;
  timeWarning: string | null;
}

/**
 * Maps a validated wire message to the typed columns metrics need. This is
 * the one place where snake_case wire properties become store fields.
 */
export function toEventRecord(message: Message, ctx: RecordContext): ConvertedEvent {
  const rawProperties = message.properties ?? {};
  const debug = rawProperties['debug_mode'] === true;
  const event = message.type === 'track' ? (message.event ?? null) : null;
  const { properties, promptText } = extractText(event, rawProperties, debug || ctx.devKey);
  const times = correctEventTime(ctx.receivedAt, message.timestamp ?? message.originalTimestamp, message.sentAt ?? ctx.batchSentAt);
  const tokens = asRecord(rawProperties['token_count']);
  const details = asRecord(rawProperties['action_details']);
  const feedbackType = asString(details['feedback_type']);
  const feedbackValue = details['feedback_value'];
  const context = { ...(ctx.batchContext ?? {}), ...(message.context ?? {}) };
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) if (!KNOWN_FIELDS.has(key)) extra[key] = value;
  if (message.name !== undefined) extra['name'] = message.name;
  if (message.groupId !== undefined) extra['groupId'] = message.groupId;

  const traffic = ctx.classifyTraffic(message, context);
  const record: EventRecord = {
    writeKey: ctx.writeKey,
    messageId: ctx.messageId,
    type: message.type,
    event,
    userId: message.userId ?? null,
    anonymousId: message.anonymousId ?? null,
    previousId: message.previousId ?? null,
    sessionId: message.context?.sessionId ?? null,
    conversationId: asString(rawProperties['conversation_id']),
    promptNumber: asNumber(rawProperties['prompt_number']),
    timestamp: times.timestamp,
    originalTimestamp: times.originalTimestamp,
    sentAt: times.sentAt,
    receivedAt: ctx.receivedAt,
    latencyMs: asNumber(rawProperties['latency_ms']),
    timeToFirstTokenMs: asNumber(rawProperties['time_to_first_token_ms']),
    tokensPerSecond: asNumber(rawProperties['tokens_per_second']),
    // Only responses and actions name responses; another event's property of that name means nothing here.
    responseId: event === AI_EVENT.responseReceived || event === AI_EVENT.userAction ? asString(rawProperties['response_id']) : null,
    regeneratedFrom: event === AI_EVENT.responseReceived ? asString(rawProperties['regenerated_from']) : null,
    promptTokens: asNumber(tokens['prompt_tokens']),
    completionTokens: asNumber(tokens['completion_tokens']),
    totalTokens: asNumber(tokens['total_tokens']) ?? sumIfBoth(tokens['prompt_tokens'], tokens['completion_tokens']),
    cost: asNumber(rawProperties['cost']),
    model: asString(rawProperties['model_used']),
    status: event === AI_EVENT.responseReceived ? (asString(rawProperties['response_status']) ?? 'success') : null,
    errorType: asString(rawProperties['error_type']),
    intent: asString(rawProperties['classified_intent']),
    actionType: asString(rawProperties['action_type']),
    feedbackType,
    feedbackValue: feedbackValue === undefined ? null : JSON.stringify(feedbackValue),
    rating: feedbackType === 'rating' ? toRating(feedbackValue) : null,
    thumbsUp: feedbackType === 'thumbs' ? isThumbsUp(feedbackValue) : null,
    debug,
    bot: traffic.bot,
    internal: traffic.internal,
    properties,
    context,
    acquisitionChannel: acquisitionChannel(context),
    traits: message.traits ?? null,
    extra,
    pendingPromptText: promptText,
    ingestClassificationUsage: null,
  };
  return { record, timeWarning: times.implausible };
}

/** Thumbs up = `true`, `1` or `"up"` (also `"1"`, `"true"`, case-insensitive); anything else is down. */
export function isThumbsUp(value: unknown): boolean {
  if (value === true || value === 1) return true;
  if (typeof value === 'string') return ['up', '1', 'true'].includes(value.trim().toLowerCase());
  return false;
}

function toRating(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function sumIfBoth(a: unknown, b: unknown): number | null {
  return typeof a === 'number' && typeof b === 'number' ? a + b : null;
}


function asString(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
