import type { ClassificationUsage } from '../../classification/classification-queue.js';
import { CHATMETER_SDK_LIBRARY } from '../../metrics/sdk-library.js';
import { SDK_HEALTH_EVENT } from '../../protocol/index.js';
import type { EventRecord } from '../event-record.js';

/**
 * `merge_version` = MERGE_VERSION_BASE − received_at: ReplacingMergeTree keeps
 * the highest version, i.e. the first-received copy. 2^52 keeps the value a
 * safe integer in JSON and positive for received times until the year 144,683.
 */
export const MERGE_VERSION_BASE = 2 ** 52;

/** One `events` row, as JSONEachRow takes it; `traffic` is its flags with its user's sticky ones (sticky-traffic.ts). */
export function toEventRow(record: EventRecord, traffic: number): Record<string, unknown> {
  return {
    write_key: record.writeKey,
    message_id: record.messageId,
    type: record.type,
    event: record.event ?? '',
    user_id: record.userId,
    anonymous_id: record.anonymousId,
    previous_id: record.previousId,
    session_id: record.sessionId,
    conversation_id: record.conversationId,
    prompt_number: record.promptNumber,
    ts: record.timestamp,
    original_ts: record.originalTimestamp,
    sent_at: record.sentAt,
    received_at: record.receivedAt,
    latency_ms: record.latencyMs,
    // `?? null`: records built by plain-JS callers (bench/) may lack the newer fields.
    time_to_first_token_ms: record.timeToFirstTokenMs ?? null,
    tokens_per_second: record.tokensPerSecond ?? null,
    response_id: record.responseId ?? null,
    regenerated_from: record.regeneratedFrom ?? null,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    total_tokens: record.totalTokens,
    cost: record.cost,
    model: record.model,
    status: record.status,
    error_type: record.errorType,
    intent: record.intent,
    action_type: record.actionType,
    feedback_type: record.feedbackType,
    feedback_value: record.feedbackValue,
    rating: record.rating,
    thumbs_up: record.thumbsUp === null ? null : record.thumbsUp ? 1 : 0,
    traffic,
    from_sdk: isFromSdk(record) ? 1 : 0,
    channel: record.acquisitionChannel ?? null,
    properties: JSON.stringify(record.properties),
    context: JSON.stringify(record.context),
    traits: record.traits === null ? null : JSON.stringify(record.traits),
    extra: Object.keys(record.extra).length === 0 ? null : JSON.stringify(record.extra),
    merge_version: MERGE_VERSION_BASE - record.receivedAt,
  };
}

/** Events the Chatmeter SDK sent (its library named in the context), its own health reports excepted. */
function isFromSdk(record: EventRecord): boolean {
  if (record.event === SDK_HEALTH_EVENT) return false;
  const library = record.context['library'];
  return typeof library === 'object' && library !== null && (library as Record<string, unknown>)['name'] === CHATMETER_SDK_LIBRARY;
}

/** The identity link an identify or alias makes, if any: every event of `anonymous_id` then counts for `user_id`. */
export function toIdentityRow(record: EventRecord): Record<string, unknown> | null {
  const from = record.type === 'identify' ? record.anonymousId : record.type === 'alias' ? record.previousId : null;
  if (from === null || record.userId === null || from === record.userId) return null;
  return { anonymous_id: from, user_id: record.userId, linked_at: record.receivedAt };
}

/** One row per trait an identify sets, for the user it names. */
export function toTraitRows(record: EventRecord): Record<string, unknown>[] {
  if (record.type !== 'identify' || record.traits === null) return [];
  return Object.entries(record.traits).map(([trait, value]) => ({
    user_id: record.userId,
    anonymous_id: record.anonymousId,
    trait,
    value: traitText(value) ?? '',
    has_value: traitText(value) === null ? 0 : 1,
    received_at: record.receivedAt,
    ts: record.timestamp,
    message_id: record.messageId,
  }));
}

/**
 * A trait's value as a breakdown key, as SQLite's json_extract yields it:
 * text as is, numbers as JavaScript writes them, booleans as 1 / 0, objects
 * and arrays as their JSON, null as no value.
 */
export function traitText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** A classifier usage increment as a `classification_usage` row (summed on read). */
export function toUsageRow(usage: ClassificationUsage): Record<string, unknown> {
  return {
    day: usage.day,
    classifier: usage.classifier,
    prompts: usage.prompts,
    cached: usage.cached,
    errors: usage.errors,
    not_sampled: usage.notSampled,
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    cost: usage.cost,
  };
}
