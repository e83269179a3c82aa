import Database from 'better-sqlite3';
import type {
  ClassificationOutcome,
  ClassificationUsage,
  QueuedPrompt,
} from '../../classification/classification-queue.js';
import { AI_EVENT } from '../../protocol/index.js';
import type { ErasureOutcome } from '../data-lifecycle.js';
import type { EventRecord, InsertOutcome } from '../event-record.js';
import type { ExportedEvent, ExportRange } from '../event-export.js';
import { createGroupCommit, type GroupCommit } from '../group-commit.js';
import type { Store } from '../store.js';
import { prepareClassificationStatements, type ClassificationStatements } from './classification-statements.js';
import { toEventId, toRowId } from './event-ids.js';
import { exportEventPages } from './export-queries.js';
import { prepareLifecycleStatements, type LifecycleStatements } from './lifecycle-statements.js';
import { SqliteMetrics } from './metrics/sqlite-metrics.js';
import { openDatabase } from './open-database.js';
import { RollupMaterializer, type RollupMaterializerOptions } from './rollup-materializer.js';
import { toStoreWriteError } from './sqlite-errors.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { TRAFFIC_BIT, trafficBits } from './traffic-flags.js';
import { prepareStatements, type Statements } from './statements.js';

export interface SqliteStoreOptions {
  /** File path, or `:memory:` for throwaway stores in tests. */
  path: string;
  readonly?: boolean;
  /**
   * The rollups' materializer (rollup-materializer.ts); `background: false`
   * leaves folding to catchUp(), as before every metric read, erasure and retention.
   */
  rollups?: RollupMaterializerOptions & { background?: boolean };
}

/**
 * The embedded store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so a group of batches is one `db.transaction()` with no await
 * inside; a batch has committed (and, with synchronous=FULL, reached the
 * disk) when `insertEvents` resolves. The request transaction appends events
 * and does no rollup work: `rollups` folds them into the rollups in the
 * background, and in full before any metric reads them.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly metrics: SqliteMetrics;
  /** Null on a read-only store, which cannot write the rollups. */
  readonly rollups: RollupMaterializer | null;
  readonly #statements: Statements;
  readonly #classification: ClassificationStatements;
  readonly #lifecycle: LifecycleStatements;
  readonly #recordClassifications: (outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage) => void;
  readonly #commits: GroupCommit<EventRecord, InsertOutcome>;
  readonly #quarantine: (rowId: number) => void;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    const readonly = options.readonly ?? false;
    this.db = openDatabase(options.path, readonly);
    this.#statements = prepareStatements(this.db);
    this.#classification = prepareClassificationStatements(this.db);
    this.rollups = readonly ? null : new RollupMaterializer(this.db, options.rollups);
    const rollups = this.rollups;
    this.#lifecycle = prepareLifecycleStatements(this.db, () => rollups?.catchUp());
    this.metrics = new SqliteMetrics(this.db, () => {
      try {
        rollups?.catchUp();
      } catch (error) {
        // A full disk or a lock held elsewhere: a retryable 503 for the reader, not a 500.
        throw toStoreWriteError(error);
      }
    });
    // Concurrent requests' events share one transaction and one fsync (see group-commit.ts).
    const insertGroup = this.db.transaction((submissions: readonly (readonly EventRecord[])[]) =>
      submissions.map((events) => this.#insertAll(events)),
    );
    this.#commits = createGroupCommit({ commit: insertGroup });
    this.#quarantine = this.db.transaction((rowId: number) => {
      this.#classification.markClassificationError.run(rowId);
      this.#classification.dequeue.run(rowId);
    });
    this.#recordClassifications = this.db.transaction(
      (outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage) => this.#recordAll(outcomes, usage),
    );
    if (options.rollups?.background !== false) this.rollups?.start();
  }

  async nextPromptsToClassify(limit: number): Promise<QueuedPrompt[]> {
    const rows = this.#classification.nextQueued.all(limit) as (Omit<QueuedPrompt, 'eventId'> & { eventId: number })[];
    return rows.map((row) => ({ ...row, eventId: toEventId(row.eventId) }));
  }

  async recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void> {
    this.#recordClassifications(outcomes, usage);
  }

  async quarantinePrompt(eventId: string): Promise<void> {
    const rowId = toRowId(eventId);
    try {
      this.#quarantine(rowId);
    } catch {
      // The event cannot even be marked: the text still goes.
      this.#classification.dequeue.run(rowId);
    }
  }

  async oldestQueuedPromptId(): Promise<string | null> {
    const row = this.#classification.oldestQueued.get() as { eventId: number } | undefined;
    return row === undefined ? null : toEventId(row.eventId);
  }

  async queuedPromptCount(): Promise<number> {
    return (this.#classification.countQueued.get() as { count: number }).count;
  }

  async oldestQueuedPromptAt(): Promise<number | null> {
    return (this.#classification.oldestQueuedAt.get() as { at: number | null }).at;
  }

  async classifierCostOn(day: string, classifier: string): Promise<number> {
    return (this.#classification.costOnDay.get(day, classifier) as { cost: number }).cost;
  }

  async purgeErasedText(): Promise<void> {
    // secure_delete zeroed the rows in their pages; TRUNCATE copies those
    // pages into the main file and empties the WAL that still held the text.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async eraseUser(userId: string): Promise<ErasureOutcome> {
    // Events submitted before the request are the user's too: commit them first so they are erased with the rest.
    this.#commits.flushAll();
    let outcome: ErasureOutcome;
    try {
      outcome = this.#lifecycle.eraseUser(userId);
    } catch (error) {
      throw toStoreWriteError(error);
    }
    // secure_delete zeroed the deleted rows in their pages; TRUNCATE copies
    // those pages into the main file and empties the WAL, whose older frames
    // still held the erased bytes.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return outcome;
  }

  async deleteEventsBefore(cutoffMs: number, limit: number): Promise<number> {
    try {
      return this.#lifecycle.deleteEventsBefore(cutoffMs, limit);
    } catch (error) {
      throw toStoreWriteError(error);
    }
  }

  async insertEvents(events: readonly EventRecord[]): Promise<InsertOutcome> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    // An app still serving after its store closed (an embedding that closes in the wrong order): retryable, not a crash.
    if (this.#closed) throw new StoreUnavailableError('the store is closed (the collector is shutting down); retry shortly');
    try {
      return await this.#commits.submit(events);
    } catch (error) {
      throw toStoreWriteError(error);
    }
  }

  exportEvents(range: ExportRange): AsyncIterable<ExportedEvent[]> {
    return exportEventPages(this.db, range);
  }

  async checkWritable(): Promise<void> {
    try {
      this.#statements.setSetting.run('readiness_probe', new Date().toISOString());
    } catch (error) {
      throw toStoreWriteError(error);
    }
  }

  async hasEvents(): Promise<boolean> {
    return this.#statements.anyEvent.get() !== undefined;
  }

  async getSetting(name: string): Promise<string | null> {
    const row = this.#statements.getSetting.get(name) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async setSetting(name: string, value: string): Promise<void> {
    this.#statements.setSetting.run(name, value);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#commits.flushAll();
    this.rollups?.stop();
    try {
      // A copied or backed-up file then holds current rollups.
      this.rollups?.catchUp();
    } catch {
      // Closing must not fail on it (a full disk): the next open folds what is left.
    }
    // Fold the WAL back into the main file so a copied .db is complete.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  #insertAll(events: readonly EventRecord[]): InsertOutcome {
    const s = this.#statements;
    const c = this.#classification;
    const usageByDayAndClassifier = new Map<string, ClassificationUsage>();
    let inserted = 0;
    for (const record of events) {
      const userKey = this.#resolveUserKey(record);
      const intent = record.intent ?? this.#intentOfTurn(record);
      // Bot and internal are sticky per user: a flag an earlier event showed marks this one too.
      const userTraffic = ((s.userTraffic.get(userKey) as number | undefined) ?? 0) & USER_TRAFFIC_BITS;
      const traffic = trafficBits({ debug: record.debug, bot: record.bot === true, internal: record.internal === true }) | userTraffic;
      const result = s.insertEvent.run(toRow({ ...record, intent }, userKey, traffic));
      // A duplicate (a retry or a replay) has no effect at all: above all it must not re-link an identity.
      if (result.changes === 0) continue;
      inserted += 1;
      const eventId = Number(result.lastInsertRowid);
      if (record.type === 'identify' && record.userId !== null && record.anonymousId !== null) {
        this.#link(record.anonymousId, record.userId, record.receivedAt);
      }
      if (record.type === 'alias' && record.userId !== null && record.previousId !== null) {
        this.#link(record.previousId, record.userId, record.receivedAt);
      }
      s.upsertUser.run({
        user_key: userKey,
        ts: record.timestamp,
        traits: record.type === 'identify' && record.traits !== null ? JSON.stringify(record.traits) : null,
        traffic: traffic & USER_TRAFFIC_BITS,
      });
      if (record.pendingPromptText !== null) {
        s.enqueuePrompt.run(eventId, record.pendingPromptText, record.receivedAt);
      }
      if (record.ingestClassificationUsage !== null) {
        addUsage(usageByDayAndClassifier, record.ingestClassificationUsage);
        // As the worker does: responses and actions of this turn stored before
        // their prompt (out of order, or earlier in the batch) get its intent.
        if (record.intent !== null && record.conversationId !== null) {
          c.propagateToTurn.run({ conversationId: record.conversationId, promptNumber: record.promptNumber, intent: record.intent, eventId });
        }
      }
    }
    // One upsert per classifier and day, whatever the batch size.
    for (const usage of usageByDayAndClassifier.values()) c.addUsage.run(usage);
    return { inserted, duplicates: events.length - inserted };
  }

  #recordAll(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): void {
    const c = this.#classification;
    for (const outcome of outcomes) {
      const rowId = toRowId(outcome.eventId);
      const turn = c.setPromptIntent.get({
        eventId: rowId,
        intent: outcome.intent,
        sampled: outcome.sampled ? 1 : 0,
      }) as { conversationId: string | null; promptNumber: number | null } | undefined;
      if (turn?.conversationId != null) {
        c.propagateToTurn.run({ ...turn, intent: outcome.intent, eventId: rowId });
      }
      c.dequeue.run(rowId);
    }
    c.addUsage.run(usage);
  }

  /** The intent of the prompt this response or action answers, when it is already known. */
  #intentOfTurn(record: EventRecord): string | null {
    if (record.conversationId === null) return null;
    if (record.event !== AI_EVENT.responseReceived && record.event !== AI_EVENT.userAction) return null;
    const c = this.#classification;
    const row = (
      record.promptNumber === null
        ? c.intentOfLatestPrompt.get(record.conversationId, record.timestamp)
        : c.intentOfPromptNumber.get(record.conversationId, record.promptNumber)
    ) as { intent: string | null } | undefined;
    return row?.intent ?? null;
  }

  #resolveUserKey(record: EventRecord): string {
    if (record.userId !== null) return record.userId;
    if (record.anonymousId !== null) {
      const link = this.#statements.findLink.get(record.anonymousId) as { user_id: string } | undefined;
      return link?.user_id ?? record.anonymousId;
    }
    // alias without anonymousId carries userId; validation guarantees one of them.
    return record.previousId ?? '';
  }

  /** Makes every earlier event of `fromId` count for `userId` (identify / alias merge). */
  #link(fromId: string, userId: string, at: number): void {
    if (fromId === userId) return;
    const s = this.#statements;
    s.upsertLink.run(fromId, userId, at);
    s.relabelEvents.run({ from: fromId, to: userId });
    s.mergeUser.run({ from: fromId, to: userId });
  }
}

/** The flags that belong to a user rather than to one event (debug mode is per event). */
const USER_TRAFFIC_BITS = TRAFFIC_BIT.bot | TRAFFIC_BIT.internal;

function addUsage(totals: Map<string, ClassificationUsage>, usage: ClassificationUsage): void {
  const key = `${usage.day} ${usage.classifier}`;
  const total = totals.get(key);
  if (total === undefined) {
    totals.set(key, { ...usage });
    return;
  }
  total.prompts += usage.prompts;
  total.cached += usage.cached;
  total.errors += usage.errors;
  total.notSampled += usage.notSampled;
  total.promptTokens += usage.promptTokens;
  total.completionTokens += usage.completionTokens;
  total.cost += usage.cost;
}

function toRow(record: EventRecord, userKey: string, traffic: number): Record<string, unknown> {
  return {
    write_key: record.writeKey,
    message_id: record.messageId,
    type: record.type,
    event: record.event,
    user_id: record.userId,
    anonymous_id: record.anonymousId,
    user_key: userKey,
    session_id: record.sessionId,
    conversation_id: record.conversationId,
    prompt_number: record.promptNumber,
    ts: record.timestamp,
    original_ts: record.originalTimestamp,
    sent_at: record.sentAt,
    received_at: record.receivedAt,
    latency_ms: record.latencyMs,
    // `?? null`: records built by plain-JS callers (bench/) before these fields existed bind as NULL.
    time_to_first_token_ms: record.timeToFirstTokenMs ?? null,
    tokens_per_second: record.tokensPerSecond ?? null,
    response_id: record.responseId ?? null,
    regenerated_from: record.regeneratedFrom ?? null,
    channel: record.acquisitionChannel ?? null,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    total_tokens: record.totalTokens,
    cost: record.cost,
    model: record.model,
    status: record.status,
    error_type: record.errorType,
    intent: record.intent,
    // Sampling is a property of prompts; responses and actions only inherit the intent.
    intent_sampled: record.event === AI_EVENT.promptCreated && record.intent !== null ? 1 : null,
    action_type: record.actionType,
    feedback_type: record.feedbackType,
    feedback_value: record.feedbackValue,
    rating: record.rating,
    thumbs_up: record.thumbsUp === null ? null : record.thumbsUp ? 1 : 0,
    // The flags column (traffic-flags.ts): debug mode, bot, internal.
    debug: traffic,
    properties: JSON.stringify(record.properties),
    context: JSON.stringify(record.context),
    traits: record.traits === null ? null : JSON.stringify(record.traits),
    extra: Object.keys(record.extra).length === 0 ? null : JSON.stringify(record.extra),
  };
}
