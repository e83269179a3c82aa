import { z } from 'zod';
import { MAX_ID_LENGTH } from './limits.js';

/**
 * Segment / RudderStack HTTP Tracking API messages. Field names and semantics
 * follow Segment's spec so existing clients (analytics-node, analytics.js,
 * RudderStack SDKs) can send to Chatmeter unchanged. Unknown fields are kept.
 */

export const MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Ids may arrive as numbers from some clients; they are stored as strings. */
const identifier = z
  .union([z.string().min(1, 'must not be empty').max(MAX_ID_LENGTH), z.number().finite()])
  .transform((value) => String(value));

/** ISO-8601 date-time (Segment accepts anything Date can parse; so do we). */
export const timestampSchema = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00.000Z');

export const contextSchema = z.looseObject({
  sessionId: identifier.optional(),
  library: z.looseObject({ name: z.string().optional(), version: z.string().optional() }).optional(),
  page: z.looseObject({}).optional(),
  userAgent: z.string().optional(),
  locale: z.string().optional(),
  timezone: z.string().optional(),
  ip: z.string().optional(),
  traits: z.looseObject({}).optional(),
});

const jsonObject = z.record(z.string(), z.unknown());

/** One message of any type, as it arrives (before per-type requirements). */
export const messageSchema = z
  .looseObject({
    type: z.enum(MESSAGE_TYPES, { error: `must be one of ${MESSAGE_TYPES.join(', ')}` }),
    messageId: identifier.optional(),
    userId: identifier.nullish(),
    anonymousId: identifier.nullish(),
    previousId: identifier.optional(),
    groupId: identifier.optional(),
    event: z.string().min(1, 'must not be empty').max(512).optional(),
    name: z.string().max(512).optional(),
    timestamp: timestampSchema.optional(),
    originalTimestamp: timestampSchema.optional(),
    sentAt: timestampSchema.optional(),
    context: contextSchema.optional(),
    properties: jsonObject.optional(),
    traits: jsonObject.optional(),
  })
  .superRefine((message, ctx) => {
    if (message.type === 'alias') {
      if (message.userId == null) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'is required for alias' });
      if (message.previousId == null) {
        ctx.addIssue({ code: 'custom', path: ['previousId'], message: 'is required for alias' });
      }
      return;
    }
    if (message.userId == null && message.anonymousId == null) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'userId or anonymousId is required' });
    }
    if (message.type === 'track' && message.event === undefined) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: 'is required for track' });
    }
    if (message.type === 'group' && message.groupId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'is required for group' });
    }
  });

/** A message as a client sends it. */
export type MessageInput = z.input<typeof messageSchema>;
/** A message after validation (ids normalised to strings). */
export type Message = z.output<typeof messageSchema>;

/**
 * The `POST /v1/batch` body. Messages are validated one by one (an invalid
 * message rejects only itself), so the envelope only checks the array.
 */
export const batchEnvelopeSchema = z.looseObject({
  batch: z.array(z.unknown(), { error: 'must be an array of messages' }),
  sentAt: timestampSchema.optional(),
  writeKey: z.string().optional(),
  context: z.looseObject({}).optional(),
  integrations: z.unknown().optional(),
});

export type BatchEnvelope = z.output<typeof batchEnvelopeSchema>;
/** The `POST /v1/batch` body as a client sends it. */
export type BatchInput = {
  batch: MessageInput[];
  sentAt?: string;
  writeKey?: string;
  context?: Record<string, unknown>;
};

/** Per-message outcome of a batch, returned with status 200. */
export interface BatchResult {
  accepted: number;
  /** Accepted messages whose messageId had been stored before (a retry). */
  duplicates: number;
  /** The first rejected messages (at most `MAX_DETAILED_REJECTIONS`), by index. */
  rejected: RejectedMessage[];
  /** All rejected messages; present only when `rejected` was cut short. */
  rejectedCount?: number;
  /** Accepted messages stored with a correction (e.g. an implausible time); present only when there are some. */
  warnings?: MessageWarning[];
}

/** An accepted message that was stored with a correction the client should know about. */
export interface MessageWarning {
  index: number;
  messageId: string | null;
  path: string;
  message: string;
}

export interface RejectedMessage {
  index: number;
  messageId: string | null;
  errors: FieldError[];
}

export interface FieldError {
  /** Dotted path inside the message, e.g. `properties.conversation_id`. */
  path: string;
  message: string;
}

/** Body of every whole-request error (400, 401, 413, 415…). */
export interface ErrorBody {
  error: { code: string; message: string; details?: FieldError[] };
}
