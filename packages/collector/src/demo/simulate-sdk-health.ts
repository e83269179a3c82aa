import { SDK_HEALTH_EVENT, type MessageInput } from '../protocol/index.js';
import type { MessageWriter } from './message-writer.js';
import type { Random } from './random.js';

/** Browsers whose IndexedDB is unavailable (private windows, blocked storage) and whose SDK queues in memory. */
export const MEMORY_STORAGE_SHARE = 0.03;
/** Sessions whose page lost a few events to a full queue (offline for long, then closed). */
const QUEUE_FULL_SESSION_SHARE = 0.004;
/** The SDK's default flush interval: the first batch leaves this long after the session's first event. */
const FIRST_BATCH_AFTER_MS = 5_000;

export type QueueStorage = 'indexeddb' | 'memory';

/** Draws where one browser's SDK keeps its queue, for all of its sessions. */
export function drawQueueStorage(random: Random): QueueStorage {
  return random.chance(MEMORY_STORAGE_SHARE) ? 'memory' : 'indexeddb';
}

/**
 * Adds the `chatmeter_sdk_health` reports the SDK would have sent for the
 * session whose messages start at `firstIndex`: one once its first batch was
 * delivered, one at page hide (under a minute after the first, the SDK skips
 * it). Counters are deltas, so the two add up to every message of the
 * session; a rare session also lost a few events to a full queue, which
 * were never sent (and so are not among the messages).
 */
export function reportSessionHealth(
  writer: MessageWriter,
  firstIndex: number,
  random: Random,
  storage: QueueStorage,
  latestMs: number,
): void {
  const times = writer.messages.slice(firstIndex).map(timeOf);
  const firstAt = times[0];
  const lastAt = times.at(-1);
  if (firstAt === undefined || lastAt === undefined) return;
  const firstBatchAt = firstAt + FIRST_BATCH_AFTER_MS;
  const firstReportAt = Math.min(latestMs, firstBatchAt + random.int(80, 400));
  const sentInFirstBatch = times.filter((at) => at <= firstBatchAt).length;
  const queuedByFirstReport = times.filter((at) => at <= firstReportAt).length;
  const zero = { retried: 0, dropped_queue_full: 0, dropped_rejected: 0, storage };
  writer.sdkHealth(firstReportAt, { ...zero, queued: queuedByFirstReport, sent: sentInFirstBatch });

  const hideAt = Math.min(latestMs, lastAt + Math.round(random.logNormal(45_000, 0.8)));
  if (hideAt - firstReportAt < 60_000) return;
  const dropped = random.chance(QUEUE_FULL_SESSION_SHARE) ? random.int(1, 12) : 0;
  const queued = times.length - queuedByFirstReport + dropped;
  const sent = times.length - sentInFirstBatch;
  // As the SDK: a report about nothing is not sent.
  if (queued + sent === 0) return;
  writer.sdkHealth(hideAt, { ...zero, queued, sent, retried: random.chance(0.05) ? 1 : 0, dropped_queue_full: dropped });
}

function timeOf(message: MessageInput): number {
  return Date.parse(String(message.timestamp));
}
