import { randomUUID } from 'node:crypto';
import {
  MAX_DETAILED_REJECTIONS,
  MAX_MESSAGE_BYTES,
  validateMessage,
  type BatchResult,
  type FieldError,
  type MessageType,
  type MessageWarning,
  type RejectedMessage,
} from '../protocol/index.js';
import type { EventRecord } from '../store/event-record.js';
import type { EventSink } from '../store/event-sink.js';
import { classifyAtIngest, type IngestClassification } from './classify-at-ingest.js';
import { MAX_JSON_DEPTH, measureJson } from './json-shape.js';
import { toEventRecord } from './to-event-record.js';
import { createTrafficClassifier, type TrafficClassifier } from './traffic-class.js';

export interface IngestRequest {
  writeKey: string;
  devKey: boolean;
  receivedAt: number;
  messages: readonly unknown[];
  batchSentAt?: string | undefined;
  batchContext?: Record<string, unknown> | undefined;
  /** Set by the single-message routes (`/v1/track` implies `type: 'track'`). */
  impliedType?: MessageType | undefined;
  /** Tells bots and internal users; without it only bots are told (no internal-user patterns). */
  classifyTraffic?: TrafficClassifier | undefined;
}

const BOTS_ONLY = createTrafficClassifier({ internalUsers: [] });

/**
 * Validates every message on its own, stores the valid ones in one
 * transaction and reports the invalid ones by index: one bad message never
 * costs the others. With `classification`, prompts are classified before
 * they are stored and their texts are never queued.
 */
export async function ingestBatch(store: EventSink, request: IngestRequest, classification?: IngestClassification): Promise<BatchResult> {
  let records: EventRecord[] = [];
  const rejected: RejectedMessage[] = [];
  const warnings: MessageWarning[] = [];
  let rejectedCount = 0;
  request.messages.forEach((raw, index) => {
    const candidate = withImpliedType(raw, request.impliedType);
    const messageId = readMessageId(candidate);
    const reject = (errors: () => FieldError[]): void => {
      rejectedCount += 1;
      // Past the first rejections only the count is kept: the answer to a batch of garbage stays small.
      if (rejected.length < MAX_DETAILED_REJECTIONS) rejected.push({ index, messageId, errors: errors() });
    };
    const shape = messageShapeProblem(candidate);
    if (shape !== null) {
      reject(() => [{ path: '(message)', message: shape.message }]);
      return;
    }
    const validation = validateMessage(candidate);
    if (!validation.ok) {
      reject(() => validation.errors);
      return;
    }
    const { record, timeWarning } = toEventRecord(validation.message, {
      writeKey: request.writeKey,
      devKey: request.devKey,
      receivedAt: request.receivedAt,
      batchSentAt: request.batchSentAt,
      batchContext: request.batchContext,
      messageId: validation.message.messageId ?? randomUUID(),
      classifyTraffic: request.classifyTraffic ?? BOTS_ONLY,
    });
    records.push(record);
    if (timeWarning !== null) warnings.push({ index, messageId: record.messageId, path: 'timestamp', message: timeWarning });
  });
  if (classification !== undefined) records = await classifyAtIngest(records, classification);
  const outcome = await store.insertEvents(records);
  return {
    accepted: records.length,
    duplicates: outcome.duplicates,
    rejected,
    ...(rejectedCount > rejected.length ? { rejectedCount } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** Why a message cannot be taken before its fields are even read. */
export interface MessageShapeProblem {
  code: 'message_too_deep' | 'message_too_large';
  status: 400 | 413;
  message: string;
}

/**
 * Depth first, then size: measuring the size serialises the message, which
 * a hostile nesting depth would turn into a stack overflow. The same walk
 * bounds the size, so only a message that might be over the limit is
 * serialised to count its bytes exactly.
 */
export function messageShapeProblem(raw: unknown): MessageShapeProblem | null {
  const shape = measureJson(raw);
  if (shape.tooDeep) {
    return { code: 'message_too_deep', status: 400, message: `nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels` };
  }
  if (shape.maxBytes <= MAX_MESSAGE_BYTES) return null;
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    return { code: 'message_too_large', status: 413, message: `is ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit per message` };
  }
  return null;
}

function withImpliedType(raw: unknown, impliedType: MessageType | undefined): unknown {
  if (impliedType === undefined || typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  // The route decides the type, as in Segment's API.
  return { ...(raw as Record<string, unknown>), type: impliedType };
}

function readMessageId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as Record<string, unknown>)['messageId'];
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}
