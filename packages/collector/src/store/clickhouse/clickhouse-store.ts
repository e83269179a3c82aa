import type {
  ClassificationOutcome,
  ClassificationUsage,
  QueuedPrompt,
} from '../../classification/classification-queue.js';
import type { ErasureOutcome, RetentionPace } from '../data-lifecycle.js';
import type { EventRecord, InsertOutcome } from '../event-record.js';
import type { ExportedEvent, ExportRange } from '../event-export.js';
import type { Store } from '../store.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseTables } from './clickhouse-tables.js';
import { toEventId, toEventKey, type EventKey } from './event-ids.js';
import { toEventRow, toIdentityRow, toTraitRows, toUsageRow } from './event-rows.js';
import { exportEventPages } from './export-pages.js';
import { createInsertBatcher, type InsertBatcher } from './insert-batcher.js';
import { deleteEventsBefore, eraseUser } from './lifecycle-queries.js';
import type { LocalPromptQueue } from './local-prompt-queue.js';
import { ClickHouseMetrics } from './metrics/clickhouse-metrics.js';
import { usersOfPromptsSql } from './metrics/queue-queries.js';
import { sqlList, sqlValue } from './sql-value.js';
import { resolveStickyTraffic } from './sticky-traffic.js';

/** Message ids per duplicate look-up query: keeps each query far below ClickHouse's max_query_size (256 KiB). */
const LOOKUP_CHUNK = 1_000;

/**
 * The store for several stateless collectors: every event, identity link,
 * trait, classifier verdict and setting lives in ClickHouse, where any
 * collector reads it; only the classification backlog (prompt texts) stays
 * in a local file of the collector that received it. Identity, turn
 * intents and duplicates are resolved when metrics are read
 * (metrics/event-rows-sql.ts), so no write ever rewrites stored events.
 */
export class ClickHouseStore implements Store {
  readonly metrics: ClickHouseMetrics;
  readonly #connection: ClickHouseConnection;
  readonly #tables: ClickHouseTables;
  readonly #queue: LocalPromptQueue;
  readonly #inserts: InsertBatcher<EventRecord, InsertOutcome>;
  /** Orders writes of settings made in the same millisecond (ReplacingMergeTree keeps the highest version). */
  #settingVersion = 0;
  #closed = false;

  constructor(connection: ClickHouseConnection, tables: ClickHouseTables, queue: LocalPromptQueue) {
    this.#connection = connection;
    this.#tables = tables;
    this.#queue = queue;
    this.metrics = new ClickHouseMetrics(connection, tables, this.#queue);
    this.#inserts = createInsertBatcher({ write: (submissions) => this.#writeGroup(submissions) });
  }

  async insertEvents(events: readonly EventRecord[]): Promise<InsertOutcome> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    if (this.#closed) throw new StoreUnavailableError('the store is closing', { retryAfterSeconds: 5 });
    return this.#inserts.submit(events);
  }

  async hasEvents(): Promise<boolean> {
    const rows = await this.#connection.rows<{ found: number }>(`SELECT 1 AS found FROM ${this.#tables.table('events')} LIMIT 1`);
    return rows.length > 0;
  }

  exportEvents(range: ExportRange): AsyncIterable<ExportedEvent[]> {
    return exportEventPages(this.#connection, this.#tables, range);
  }

  async checkWritable(): Promise<void> {
    await this.setSetting('readiness_probe', new Date().toISOString());
  }

  async getSetting(name: string): Promise<string | null> {
    const rows = await this.#connection.rows<{ value: string }>(
      `SELECT argMax(value, updated_at) AS value FROM ${this.#tables.table('settings')} WHERE name = ${sqlValue(name)} GROUP BY name`,
    );
    return rows[0]?.value ?? null;
  }

  async setSetting(name: string, value: string): Promise<void> {
    // Microseconds plus a counter: a later write in this process always has a higher version.
    this.#settingVersion = Math.max(this.#settingVersion + 1, Date.now() * 1000);
    await this.#connection.insert(this.#tables.table('settings'), [{ name, value, updated_at: this.#settingVersion }]);
  }

  async nextPromptsToClassify(limit: number): Promise<QueuedPrompt[]> {
    const queued = this.#queue.next(limit);
    if (queued.length === 0) return [];
    const users = await this.#connection.rows<{ message_id: string; write_key: string; user_key: string; plan: string | null; first_seen: number | null }>(
      usersOfPromptsSql(this.#tables, queued),
    );
    const byKey = new Map(users.map((row) => [`${row.write_key}\n${row.message_id}`, row]));
    return queued.map((prompt) => {
      const user = byKey.get(`${prompt.writeKey}\n${prompt.messageId}`);
      return {
        eventId: toEventId(prompt),
        text: prompt.text,
        userKey: user?.user_key ?? prompt.userId ?? prompt.anonymousId ?? '',
        plan: user?.plan ?? null,
        firstSeenAt: user?.first_seen ?? prompt.enqueuedAt,
      };
    });
  }

  async recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void> {
    const keys = outcomes.map((outcome) => toEventKey(outcome.eventId));
    const classifiedAt = Date.now();
    await this.#connection.insert(
      this.#tables.table('prompt_intents'),
      outcomes.map((outcome, index) => ({
        ...eventKeyRow(keys[index] as EventKey),
        intent: outcome.intent,
        sampled: outcome.sampled ? 1 : 0,
        classified_at: classifiedAt,
      })),
    );
    await this.#connection.insert(this.#tables.table('classification_usage'), [toUsageRow(usage)]);
    // Only once ClickHouse holds the verdicts are the texts erased.
    this.#queue.dequeue(keys);
  }

  async quarantinePrompt(eventId: string): Promise<void> {
    const key = toEventKey(eventId);
    try {
      await this.#connection.insert(this.#tables.table('prompt_intents'), [
        { ...eventKeyRow(key), intent: 'classification_error', sampled: 1, classified_at: Date.now() },
      ]);
    } finally {
      // The event cannot even be marked: the text still goes.
      this.#queue.dequeue([key]);
    }
  }

  async oldestQueuedPromptId(): Promise<string | null> {
    const oldest = this.#queue.oldest();
    return oldest === null ? null : toEventId(oldest);
  }

  async queuedPromptCount(): Promise<number> {
    return this.#queue.count();
  }

  async oldestQueuedPromptAt(): Promise<number | null> {
    return this.#queue.oldest()?.enqueuedAt ?? null;
  }

  async classifierCostOn(day: string, classifier: string): Promise<number> {
    const rows = await this.#connection.rows<{ cost: number }>(
      `SELECT sum(cost) AS cost FROM ${this.#tables.table('classification_usage')} WHERE day = ${sqlValue(day)} AND classifier = ${sqlValue(classifier)}`,
    );
    return rows[0]?.cost ?? 0;
  }

  async purgeErasedText(): Promise<void> {
    this.#queue.purge();
  }

  async eraseUser(userId: string): Promise<ErasureOutcome> {
    // Events submitted before the request are the user's too: write them first so they are erased with the rest.
    await this.#inserts.drain();
    return eraseUser(this.#connection, this.#tables, this.#queue, userId);
  }

  /**
   * Each deletion is a mutation of the events and of every rollup, which
   * rewrites the parts it touches: a few large batches a day, not a small
   * one every few seconds. (Table TTLs, ClickHouse's own retention, came
   * after 18.16.)
   */
  readonly retentionPace: RetentionPace = { batchSize: 1_000_000, intervalMs: 15 * 60_000 };

  async deleteEventsBefore(cutoffMs: number, limit: number): Promise<number> {
    return deleteEventsBefore(this.#connection, this.#tables, cutoffMs, limit);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#inserts.drain();
    } finally {
      this.#queue.close();
      await this.#connection.close();
    }
  }

  /**
   * One insert for several requests: messages already stored (looked up
   * first) or repeated within the group are skipped and counted as
   * duplicates; the links, traits, users' traffic flags and classifier usage of the new events are
   * written before the events themselves, so an insert cut short is retried
   * in full by the client (its events are not stored yet). The look-up is
   * best-effort across collectors: two collectors storing the same message
   * at the same moment both store it, and reads count it once.
   */
  async #writeGroup(submissions: readonly (readonly EventRecord[])[]): Promise<InsertOutcome[]> {
    const stored = await this.#storedKeys(submissions.flat());
    const seen = new Set<string>();
    const fresh: EventRecord[] = [];
    const outcomes = submissions.map((records) => {
      let inserted = 0;
      for (const record of records) {
        const key = `${record.writeKey}\n${record.messageId}`;
        if (stored.has(key) || seen.has(key)) continue;
        seen.add(key);
        fresh.push(record);
        inserted += 1;
      }
      return { inserted, duplicates: records.length - inserted };
    });
    if (fresh.length === 0) return outcomes;
    // Computed before the links of this group are written: an event resolves its user as the links stood before it.
    const sticky = await resolveStickyTraffic(this.#connection, this.#tables, fresh, Date.now());
    const usage = fresh.map((record) => record.ingestClassificationUsage).filter((row) => row !== null);
    await Promise.all([
      this.#connection.insert(this.#tables.table('identities'), fresh.map(toIdentityRow).filter((row) => row !== null)),
      this.#connection.insert(this.#tables.table('user_traits'), fresh.flatMap(toTraitRows)),
      this.#connection.insert(this.#tables.table('classification_usage'), usage.map(toUsageRow)),
      this.#connection.insert(this.#tables.table('user_traffic'), sticky.gainedRows),
    ]);
    await this.#connection.insert(
      this.#tables.table('events'),
      fresh.map((record, index) => toEventRow(record, sticky.trafficOf[index] as number)),
    );
    this.#queue.enqueue(
      fresh
        .filter((record) => record.pendingPromptText !== null)
        .map((record) => ({
          writeKey: record.writeKey,
          messageId: record.messageId,
          userId: record.userId,
          anonymousId: record.anonymousId,
          text: record.pendingPromptText as string,
          enqueuedAt: record.receivedAt,
        })),
    );
    return outcomes;
  }

  /**
   * The (write key, message id) pairs of `records` ClickHouse already holds,
   * as `key\nid` strings: the conditions follow the sorting key (event,
   * write_key, message_id), so the look-up reads a few index granules.
   */
  async #storedKeys(records: readonly EventRecord[]): Promise<Set<string>> {
    const stored = new Set<string>();
    const events = [...new Set(records.map((record) => record.event ?? ''))];
    for (let start = 0; start < records.length; start += LOOKUP_CHUNK) {
      const chunk = records.slice(start, start + LOOKUP_CHUNK);
      const rows = await this.#connection.rows<{ write_key: string; message_id: string }>(
        `SELECT DISTINCT write_key, message_id FROM ${this.#tables.table('events')}
          WHERE event IN ${sqlList(events)} AND write_key IN ${sqlList([...new Set(chunk.map((record) => record.writeKey))])}
            AND message_id IN ${sqlList([...new Set(chunk.map((record) => record.messageId))])}`,
      );
      for (const row of rows) stored.add(`${row.write_key}\n${row.message_id}`);
    }
    return stored;
  }
}

function eventKeyRow(key: EventKey): { write_key: string; message_id: string } {
  return { write_key: key.writeKey, message_id: key.messageId };
}
