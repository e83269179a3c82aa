import express, { Router, type Request, type RequestHandler } from 'express';
import type { WriteKey } from '../config.js';
import type { IngestClassification } from '../ingest/classify-at-ingest.js';
import { exceedsJsonDepth } from '../ingest/json-shape.js';
import { ingestBatch, messageShapeProblem } from '../ingest/ingest-batch.js';
import type { TrafficClassifier } from '../ingest/traffic-class.js';
import { MAX_BATCH_MESSAGES, MAX_REQUEST_BYTES, batchEnvelopeSchema, type MessageType } from '../protocol/index.js';
import type { EventSink } from '../store/event-sink.js';
import { authenticateWriteKey } from './auth.js';
import { HttpError } from './http-error.js';

export interface IngestRouterOptions {
  store: EventSink;
  writeKeys: () => readonly WriteKey[];
  now: () => number;
  /** CORS for these routes, preflights included (see http/cors.ts). */
  cors: RequestHandler;
  /** Counts a request against its client address (middleware; answers 429 over the limit). */
  limitAddress?: RequestHandler;
  /** Counts a request against its write key; throws a 429 HttpError over the limit. */
  limitWriteKey?: (writeKey: string) => void;
  /** Classifies prompts while they are ingested (built-in classifier); without it their texts are queued. */
  classification?: IngestClassification | undefined;
  /** Tells bots and internal users (`--internal-users`); bots only without it. */
  classifyTraffic?: TrafficClassifier | undefined;
}

/** Single-message routes of the Segment HTTP API and the type each implies. */
const SINGLE_MESSAGE_ROUTES: Record<string, MessageType> = {
  '/v1/track': 'track',
  '/v1/identify': 'identify',
  '/v1/page': 'page',
  '/v1/screen': 'screen',
  '/v1/group': 'group',
  '/v1/alias': 'alias',
};

/**
 * Content types whose body is parsed as JSON, as Segment's and RudderStack's
 * servers do: `text/plain` because `navigator.sendBeacon` cannot send
 * `application/json` cross-origin without a preflight, and
 * `application/x-www-form-urlencoded` because RudderStack's Node SDK sends its
 * gzipped JSON batches with that type by default (checked with 3.0.13). A
 * body that is not JSON is still a 400 `invalid_json`.
 */
const JSON_CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded'];

/** `POST /v1/batch` and the single-message routes. */
export function createIngestRouter(options: IngestRouterOptions): Router {
  const router = Router();
  const parseJson = express.json({ limit: MAX_REQUEST_BYTES, type: JSON_CONTENT_TYPES, strict: false });
  // The CORS policy runs on each route's own path (preflight OPTIONS too),
  // never on a path prefix.
  const paths = ['/v1/batch', ...Object.keys(SINGLE_MESSAGE_ROUTES)];
  router.all(paths, options.cors);
  // Counted before the body is read, so a flood costs no parsing.
  if (options.limitAddress !== undefined) router.post(paths, options.limitAddress);

  router.post('/v1/batch', requireJsonContentType, parseJson, async (request, response) => {
    const receivedAt = options.now();
    const writeKey = authenticateWriteKey(request, options.writeKeys());
    options.limitWriteKey?.(writeKey.key);
    const batchLength = batchLengthOf(request.body);
    if (batchLength > MAX_BATCH_MESSAGES) {
      throw new HttpError(413, 'too_many_messages', `batch holds ${batchLength} messages, over the ${MAX_BATCH_MESSAGES}-message limit; send smaller batches`);
    }
    const envelope = batchEnvelopeSchema.safeParse(request.body);
    if (!envelope.success) {
      throw new HttpError(400, 'invalid_batch', 'body must be a JSON object with "batch": an array of messages', {
        details: envelope.error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message })),
      });
    }
    // The batch context is merged into every message, so it counts as part of each one's depth.
    if (exceedsJsonDepth({ context: envelope.data.context })) {
      throw new HttpError(400, 'invalid_batch', 'context nests objects or arrays too deeply', {
        details: [{ path: 'context', message: 'nests objects or arrays too deeply' }],
      });
    }
    const result = await ingestBatch(options.store, {
      writeKey: writeKey.key,
      devKey: writeKey.dev,
      receivedAt,
      messages: envelope.data.batch,
      batchSentAt: envelope.data.sentAt,
      batchContext: envelope.data.context,
      classifyTraffic: options.classifyTraffic,
    }, options.classification);
    response.json(result);
  });

  for (const [path, type] of Object.entries(SINGLE_MESSAGE_ROUTES)) {
    router.post(path, requireJsonContentType, parseJson, async (request, response) => {
      const receivedAt = options.now();
      const writeKey = authenticateWriteKey(request, options.writeKeys());
      options.limitWriteKey?.(writeKey.key);
      if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
        throw new HttpError(400, 'invalid_message', 'body must be a JSON object (one message)');
      }
      const shape = messageShapeProblem(request.body);
      if (shape !== null) throw new HttpError(shape.status, shape.code, `message ${shape.message}`);
      const result = await ingestBatch(options.store, {
        writeKey: writeKey.key,
        devKey: writeKey.dev,
        receivedAt,
        messages: [request.body],
        impliedType: type,
        classifyTraffic: options.classifyTraffic,
      }, options.classification);
      const rejection = result.rejected[0];
      if (rejection !== undefined) {
        const message = rejection.errors.map((error) => `${error.path}: ${error.message}`).join('; ');
        throw new HttpError(400, 'invalid_message', message, { details: rejection.errors });
      }
      response.json(result);
    });
  }
  return router;
}

function batchLengthOf(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const batch = (body as { batch?: unknown }).batch;
  return Array.isArray(batch) ? batch.length : 0;
}

function requireJsonContentType(request: Request, _response: unknown, next: (error?: unknown) => void): void {
  if (!request.is(JSON_CONTENT_TYPES)) {
    next(
      new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json, got ${JSON.stringify(request.get('content-type') ?? '(none)')}`),
    );
    return;
  }
  next();
}
