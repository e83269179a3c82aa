import { describe, expect, it } from 'vitest';
import { createTrafficClassifier } from '../../ingest/traffic-class.js';
import { toEventRecord } from '../../ingest/to-event-record.js';
import type { Message } from '../../protocol/index.js';
import type { EventRecord } from '../event-record.js';
import Database from 'better-sqlite3';
import {
  healthPropertySql,
  leanContext,
  leanProperties,
  propertyColumnValues,
  restoreContext,
  restoreProperties,
  unpackedProperties,
  type CopiedColumns,
  type HealthReportKey,
} from './lean-event-json.js';

function record(message: Record<string, unknown>, batchContext?: Record<string, unknown>): EventRecord {
  return toEventRecord(message as Message, {
    writeKey: 'wk',
    devKey: false,
    receivedAt: Date.parse('2026-12-01T12:00:00Z'),
    batchSentAt: undefined,
    batchContext,
    messageId: 'm1',
    classifyTraffic: createTrafficClassifier({ internalUsers: [] }),
  }).record;
}

/** The columns as event-writer.ts stores them and better-sqlite3 reads them back. */
function columns(event: EventRecord): CopiedColumns {
  return {
    conversation_id: event.conversationId,
    prompt_number: event.promptNumber,
    latency_ms: event.latencyMs,
    time_to_first_token_ms: event.timeToFirstTokenMs,
    tokens_per_second: event.tokensPerSecond,
    cost: event.cost,
    model: event.model,
    response_id: event.responseId,
    regenerated_from: event.regeneratedFrom,
    error_type: event.errorType,
    action_type: event.actionType,
    prompt_tokens: event.promptTokens,
    completion_tokens: event.completionTokens,
    total_tokens: event.totalTokens,
    session_id: event.sessionId,
    status: event.status,
    status_code: propertyColumnValues(event).status,
    prompt_length: propertyColumnValues(event).prompt_length,
    response_length: propertyColumnValues(event).response_length,
    input_method: propertyColumnValues(event).input_method,
    feedback_type: event.feedbackType,
    feedback_value: event.feedbackValue,
  };
}

/** Stored as JSON, read back and restored: what the export and the copy see. */
function roundTrip(event: EventRecord): { properties: Record<string, unknown>; context: Record<string, unknown> } {
  const stored = { properties: JSON.parse(JSON.stringify(leanProperties(event))), context: JSON.parse(JSON.stringify(leanContext(event))) };
  const properties = unpackedProperties(stored.properties) as Record<string, unknown>;
  return { properties: restoreProperties(columns(event), properties), context: restoreContext(columns(event), stored.context) };
}

const response = {
  type: 'track',
  event: 'ai_llm_response_received',
  anonymousId: 'a1',
  context: { sessionId: 's1', library: { name: 'chatmeter', version: '1' } },
  properties: {
    conversation_id: 'c1',
    prompt_number: 3,
    response_status: 'success',
    latency_ms: 1451,
    time_to_first_token_ms: 212.5,
    tokens_per_second: 48.25,
    token_count: { prompt_tokens: 2155, completion_tokens: 100, total_tokens: 2255 },
    cost: 0.00038325,
    model_used: 'gpt-4o-mini',
    response_id: 'r1',
    regenerated_from: 'r0',
    response_length: 400,
  },
};

describe('the events table keeps each value once', () => {
  it('leaves out of the JSON what the columns hold, and the round trip gives back every property', () => {
    const event = record(response);
    expect(leanProperties(event)).toEqual({});
    expect(leanContext(event)).toEqual({ library: { name: 'chatmeter', version: '1' } });
    expect(roundTrip(event)).toEqual({ properties: response.properties, context: response.context });
  });

  it('keeps in the JSON every value whose column does not reproduce it exactly', () => {
    const properties = {
      conversation_id: 42, // the column holds the string "42"
      prompt_number: '3', // not a number: no column value
      token_count: { prompt_tokens: 10, completion_tokens: 5 }, // total_tokens is the column's sum, not sent
      latency_ms: Number.MAX_VALUE,
      classified_intent: 'coding', // the classifier may replace the column's value
      action_type: 'copy',
      prompt_length: 2.5, // a count column holds only whole numbers
      response_length: -1,
      input_method: 7, // a text column holds only texts
    };
    const event = record({ ...response, event: 'ai_user_action', properties });
    expect(event.conversationId).toBe('42');
    expect(event.totalTokens).toBe(15);
    const lean = leanProperties(event);
    expect(lean).toEqual({
      conversation_id: 42,
      prompt_number: '3',
      token_count: { prompt_tokens: 10, completion_tokens: 5 },
      classified_intent: 'coding',
      prompt_length: 2.5,
      response_length: -1,
      input_method: 7,
    });
    expect(roundTrip(event).properties).toEqual(properties);
  });

  it('does not put back a response status the column defaulted, nor a session id of the batch context', () => {
    const event = record({ ...response, context: { library: { name: 'x' } }, properties: { conversation_id: 'c1' } }, { sessionId: 'batch-session' });
    expect(event.status).toBe('success');
    expect(event.sessionId).toBeNull();
    expect(roundTrip(event)).toEqual({ properties: { conversation_id: 'c1' }, context: { sessionId: 'batch-session', library: { name: 'x' } } });
    // Sent, but not as a status: the default applies and the property stays in the JSON.
    const blank = record({ ...response, properties: { response_status: '' } });
    expect(propertyColumnValues(blank).status).toBeNull();
    expect(roundTrip(blank).properties).toEqual({ response_status: '' });
  });

  it("stores a prompt's length and input method in their columns, and the round trip gives them back", () => {
    const prompt = { ...response, event: 'ai_user_prompt_created', properties: { conversation_id: 'c1', prompt_length: 154, input_method: 'voice' } };
    const event = record(prompt);
    expect(leanProperties(event)).toEqual({});
    expect(propertyColumnValues(event)).toEqual({ prompt_length: 154, response_length: null, input_method: 'voice', status: null });
    expect(roundTrip(event).properties).toEqual(prompt.properties);
  });

  it("leaves out feedback's action_details when its columns hold the type and value, and the round trip gives them back", () => {
    const feedback = (details: unknown): EventRecord =>
      record({ ...response, event: 'ai_user_action', properties: { conversation_id: 'c1', action_type: 'feedback', action_details: details } });
    for (const details of [
      { feedback_type: 'thumbs', feedback_value: 'up' },
      { feedback_type: 'thumbs', feedback_value: false },
      { feedback_type: 'rating', feedback_value: 4.5 },
      { feedback_type: 'rating', feedback_value: null },
      { feedback_type: 'thumbs' },
    ]) {
      const event = feedback(details);
      expect(leanProperties(event)).toEqual({});
      expect(roundTrip(event).properties).toEqual({ conversation_id: 'c1', action_type: 'feedback', action_details: details });
    }
    // The feedback text is not stored (no debug mode): what remains is the two copies.
    expect(leanProperties(feedback({ feedback_type: 'thumbs', feedback_value: 'up', feedback_text: 'slow answer' }))).toEqual({});
  });

  it('keeps action_details whole when its columns do not reproduce it exactly', () => {
    for (const details of [
      { feedback_type: 'thumbs', feedback_value: 'up', comment_id: 'k1' }, // a key without a column
      { feedback_type: 'rating', feedback_value: { stars: 4 } }, // not a primitive
      { feedback_type: 7, feedback_value: 'up' }, // the column holds the text "7"
      { feedback_type: '', feedback_value: 'up' }, // no type: the column is empty
      { feedback_value: 'up' },
      {},
    ]) {
      const event = record({ ...response, event: 'ai_user_action', properties: { action_details: details } });
      expect(leanProperties(event)).toEqual({ action_details: details });
      expect(roundTrip(event).properties).toEqual({ action_details: details });
    }
  });

  it('adds nothing to JSON stored before, which kept every property', () => {
    const event = record(response);
    expect(restoreProperties(columns(event), response.properties)).toEqual(response.properties);
    const thumbs = record({ ...response, event: 'ai_user_action', properties: { action_details: { feedback_type: 'thumbs', feedback_value: 'up', feedback_text: 'x' } } });
    expect(restoreProperties(columns(thumbs), { action_details: { feedback_type: 'thumbs', feedback_value: 'up', feedback_text: 'x' } })).toEqual({
      action_details: { feedback_type: 'thumbs', feedback_value: 'up', feedback_text: 'x' },
    });
    expect(restoreContext(columns(event), response.context)).toEqual(response.context);
  });
});

describe("the SDK's health report", () => {
  const report = { storage: 'memory', sent: 4, queued: 5, retried: 1, dropped_rejected: 0, dropped_queue_full: 1 };
  const healthRecord = (properties: Record<string, unknown>): EventRecord =>
    record({ type: 'track', event: 'chatmeter_sdk_health', anonymousId: 'a1', properties });

  it('is stored as the array of its values when it holds exactly the six counters and storage, or those and the wait', () => {
    expect(leanProperties(healthRecord(report))).toEqual([5, 4, 1, 1, 0, 'memory']);
    expect(leanProperties(healthRecord({ ...report, oldest_waiting_ms: 1500 }))).toEqual([5, 4, 1, 1, 0, 'memory', 1500]);
    for (const properties of [report, { ...report, oldest_waiting_ms: 1500 }]) {
      expect(roundTrip(healthRecord(properties)).properties).toEqual(properties);
    }
  });

  it('stays an object with a property more or less, and any other event with the same properties too', () => {
    const { retried: _retried, ...missing } = report;
    for (const properties of [{ ...report, tab: 'b' }, missing, { ...report, oldest_waiting_ms: 1, tab: 'b' }]) {
      expect(leanProperties(healthRecord(properties))).toEqual(properties);
      expect(roundTrip(healthRecord(properties)).properties).toEqual(properties);
    }
    expect(leanProperties(record({ type: 'track', event: 'queue_report', anonymousId: 'a1', properties: report }))).toEqual(report);
  });

  it('reads the same in SQL from either form', () => {
    const db = new Database(':memory:');
    try {
      const keys: HealthReportKey[] = ['queued', 'sent', 'retried', 'dropped_queue_full', 'dropped_rejected', 'storage', 'oldest_waiting_ms'];
      const read = db.prepare(`SELECT ${keys.map(healthPropertySql).join(', ')} FROM (SELECT ? AS properties)`).raw();
      const full = { ...report, oldest_waiting_ms: 1500 };
      expect(read.get(JSON.stringify(leanProperties(healthRecord(full))))).toEqual(read.get(JSON.stringify(full)));
      expect(read.get(JSON.stringify(leanProperties(healthRecord(report))))).toEqual([5, 4, 1, 1, 0, 'memory', null]);
    } finally {
      db.close();
    }
  });
});
