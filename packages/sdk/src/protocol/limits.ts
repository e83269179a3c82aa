/**
 * Request limits, the same as Segment's HTTP Tracking API so that clients
 * written against Segment batch the same way against us.
 */

/** Maximum size of one HTTP request body (Segment: 500 KB per batch request). */
export const MAX_REQUEST_BYTES = 500 * 1024;

/** Maximum size of one message inside a batch (Segment: 32 KB per call). */
export const MAX_MESSAGE_BYTES = 32 * 1024;

/** Longest accepted identifier (messageId, userId, anonymousId, sessionId…). */
export const MAX_ID_LENGTH = 256;

/** Most messages in one batch request (Segment: 2,500 per batch). */
export const MAX_BATCH_MESSAGES = 2500;

/**
 * Most rejected messages detailed in one answer; the rest are only counted.
 * Keeps the answer to a batch of garbage small (a 234 KB body of 120,000
 * invalid messages once produced 15 MB of details).
 */
export const MAX_DETAILED_REJECTIONS = 100;
