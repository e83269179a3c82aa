import { randomUUID } from 'node:crypto';
import {
  MAX_MESSAGE_BYTES,
  validateMessage,
  type BatchResult,
  type MessageType,
  type RejectedMessage,
} from '../protocol/index.js';
import type { EventRecord } from '../store/event-record.js';
import type { Store } from '../store/store.js';
import { toEventRecord } from './to-event-record.js';

export interface IngestRequest {
  writeKey: string;
  devKey: boolean;
  receivedAt: number;
  messages: readonly unknown[];
  batchSentAt?: string | undefined;
  batchContext?: Record<string, unknown> | undefined;
  /** Set by the single-message routes (`/v1/track` implies `type: 'track'`). */
  impliedType?: MessageType | undefined;
}

/**
 * Validates every message on its own, stores the valid ones in one
 * transaction and reports the invalid ones by index: one bad message never
 * costs the others.
 */
export async function ingestBatch(store: Store, request: IngestRequest): Promise<BatchResult> {
  const records: EventRecord[] = [];
  const rejected: RejectedMessage[] = [];
  request.messages.forEach((raw, index) => {
    const candidate = withImpliedType(raw, request.impliedType);
    const messageId = readMessageId(candidate);
    const bytes = messageBytes(candidate);
    if (bytes > MAX_MESSAGE_BYTES) {
      rejected.push({
        index,
        messageId,
        errors: [{ path: '(message)', message: `is ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit per message` }],
      });
      return;
    }
    const validation = validateMessage(candidate);
    if (!validation.ok) {
      rejected.push({ index, messageId, errors: validation.errors });
      return;
    }
    records.push(
      toEventRecord(validation.message, {
        writeKey: request.writeKey,
        devKey: request.devKey,
        receivedAt: request.receivedAt,
        batchSentAt: request.batchSentAt,
        batchContext: request.batchContext,
        messageId: validation.message.messageId ?? randomUUID(),
      }),
    );
  });
  const outcome = await store.insertEvents(records);
  return { accepted: records.length, duplicates: outcome.duplicates, rejected };
}

/** Size of one message as JSON, which is what the 32 KB limit counts. */
export function messageBytes(raw: unknown): number {
  return Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
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
