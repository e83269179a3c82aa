import type Database from 'better-sqlite3';
import type { ClassificationOutcome, ClassificationUsage } from '../../classification/classification-queue.js';
import { AI_EVENT } from '../../protocol/index.js';
import type { InsertOutcome } from '../event-record.js';
import { prepareClassificationStatements, type ClassificationStatements } from './classification-statements.js';
import { ContextDictionary } from './context-dictionary.js';
import { toRowId } from './event-ids.js';
import { storedEventName } from './migrations/035-event-codes.js';
import { USER_ID_IS_KEY } from './migrations/036-intent-codes-user-ids.js';
import type { SerializedEvent } from './serialized-event.js';
import { EVENT_COLUMNS, type EventRow, prepareStatements, type Statements } from './statements.js';
import { timeOffsets } from './stored-times.js';
import { trafficBits } from './traffic-flags.js';
import { storedMessageId } from './message-ids.js';
import { storedIdOrNull } from './session-conversation-ids.js';
import { UserUpdates } from './user-updates.js';
import { storedVocabularyValue } from './vocabulary-codes.js';
import { WriteKeyCodes } from './write-key-codes.js';

/**
 * The writes ingest and classification make to events: the request
 * transaction appends a group of submissions' events, resolving identity,
 * deduplicating by message id and queueing prompt texts for classification,
 * and nothing else (the rollups are folded later by rollup-materializer.ts);
 * the classifier's verdicts are written back to the prompts and their turns.
 * It runs wherever the store's writes run: on the store's own connection, or
 * on the writer thread's (writer-thread.ts), the one connection that then writes events.
 */
export class EventWriter {
  readonly #db: Database.Database;
  readonly #statements: Statements;
  readonly #classification: ClassificationStatements;
  readonly #contexts: ContextDictionary;
  readonly #writeKeys: WriteKeyCodes;
  readonly #insertGroup: (submissions: readonly (readonly SerializedEvent[])[]) => InsertOutcome[];
  readonly #recordClassifications: (outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage) => void;
  readonly #quarantine: (rowId: number) => void;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = prepareStatements(db);
    this.#classification = prepareClassificationStatements(db);
    const contexts = new ContextDictionary(db);
    this.#contexts = contexts;
    const writeKeys = new WriteKeyCodes(db);
    this.#writeKeys = writeKeys;
    const insertGroup = db.transaction((submissions: readonly (readonly SerializedEvent[])[]) => {
      contexts.begin();
      const users = new UserUpdates(this.#statements);
      const outcomes = submissions.map((events) => this.#insertAll(events, users));
      users.flushAll();
      contexts.finish();
      return outcomes;
    });
    // IMMEDIATE: the write lock is taken before the first read (a link, a user's flags), so a commit by another
    // connection in between cannot fail the upgrade to a write (SQLITE_BUSY_SNAPSHOT); busy_timeout waits instead.
    this.#insertGroup = (submissions) => {
      let outcomes: InsertOutcome[];
      try {
        outcomes = insertGroup.immediate(submissions);
      } catch (error) {
        contexts.rolledBack();
        writeKeys.rolledBack();
        throw error;
      }
      contexts.committed();
      writeKeys.committed();
      return outcomes;
    };
    const recordClassifications = db.transaction(
      (outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage) => this.#recordAll(outcomes, usage),
    );
    this.#recordClassifications = (outcomes, usage) => recordClassifications.immediate(outcomes, usage);
    const quarantine = db.transaction((rowId: number) => {
      this.#classification.markClassificationError.run(rowId);
      this.#classification.dequeue.run(rowId);
    });
    this.#quarantine = (rowId) => {
      try {
        quarantine.immediate(rowId);
      } catch {
        // The event cannot even be marked: the text still goes.
        this.#classification.dequeue.run(rowId);
      }
    };
  }

  /** Writes every submission in one transaction; one outcome per submission, in order. */
  insertGroup(submissions: readonly (readonly SerializedEvent[])[]): InsertOutcome[] {
    return this.#insertGroup(submissions);
  }

  /** Sets the classifier's verdicts on their prompts (and the prompts' turns), dequeues them and adds the usage. */
  recordClassifications(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): void {
    this.#recordClassifications(outcomes, usage);
  }

  /** Dead letter: marks a prompt the classifier cannot process and drops its text, so it never blocks the queue. */
  quarantine(eventId: string): void {
    this.#quarantine(toRowId(eventId));
  }

  /**
   * secure_delete zeroed erased rows (prompt texts, an erased user) in their
   * pages; TRUNCATE copies those pages into the main file and empties the
   * write-ahead log, whose older frames still held the erased bytes.
   */
  purgeLog(): void {
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  #recordAll(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): void {
    const c = this.#classification;
    for (const outcome of outcomes) {
      const rowId = toRowId(outcome.eventId);
      const turn = c.setPromptIntent.get({
        eventId: rowId,
        intentCode: storedVocabularyValue('intent', outcome.intent),
        sampled: outcome.sampled ? 1 : 0,
      }) as { conversationId: string | null; promptNumber: number | null } | undefined;
      if (turn?.conversationId != null) {
        this.#propagateToTurn({ conversationId: turn.conversationId, promptNumber: turn.promptNumber, eventId: rowId }, outcome.intent);
      }
      c.dequeue.run(rowId);
    }
    c.addUsage.run(usage);
  }

  #insertAll(events: readonly SerializedEvent[], users: UserUpdates): InsertOutcome {
    const s = this.#statements;
    const c = this.#classification;
    const usageByDayAndClassifier = new Map<string, ClassificationUsage>();
    let inserted = 0;
    for (const record of events) {
      const userKey = this.#resolveUserKey(record);
      // Stored once: the insert, the turn's intent and its propagation all compare the stored form.
      const conversationId = storedIdOrNull(record.conversationId);
      const intent = record.intent ?? this.#intentOfTurn(record, conversationId);
      // Bot and internal are sticky per user: a flag an earlier event showed marks this one too.
      const traffic = trafficBits({ debug: record.debug, bot: record.bot === true, internal: record.internal === true }) | users.trafficOf(userKey);
      const contextId = this.#contexts.idOf(record.context);
      const writeKey = this.#writeKeys.codeOf(record.writeKey);
      const turnModel = this.#turnModelOf(record, writeKey, conversationId);
      const result = s.insertEvent.run(eventRowValues(record, { writeKey, intent, userKey, traffic, contextId, conversationId, turnModel }));
      // A duplicate (a retry or a replay) has no effect at all: above all it must not re-link an identity.
      if (result.changes === 0) continue;
      inserted += 1;
      this.#contexts.reference(contextId);
      const eventId = Number(result.lastInsertRowid);
      if (record.type === 'identify' && record.userId !== null && record.anonymousId !== null) {
        this.#link(record.anonymousId, record.userId, record.receivedAt, users);
      }
      if (record.type === 'alias' && record.userId !== null && record.previousId !== null) {
        this.#link(record.previousId, record.userId, record.receivedAt, users);
      }
      users.seen(userKey, record.timestamp, traffic, record.type === 'identify' ? record.traits : null);
      if (record.pendingPromptText !== null) {
        s.enqueuePrompt.run(eventId, record.pendingPromptText, record.receivedAt);
      }
      if (record.ingestClassificationUsage !== null) {
        addUsage(usageByDayAndClassifier, record.ingestClassificationUsage);
        // As the worker does: responses and actions of this turn stored before
        // their prompt (out of order, or earlier in the batch) get its intent.
        if (record.intent !== null && conversationId !== null) {
          this.#propagateToTurn({ conversationId, promptNumber: record.promptNumber, eventId }, record.intent);
        }
      }
    }
    // One upsert per classifier and day, whatever the batch size.
    for (const usage of usageByDayAndClassifier.values()) c.addUsage.run(usage);
    return { inserted, duplicates: events.length - inserted };
  }

  /** Gives the prompt's intent to the response and actions of its turn stored without one (the conversation id as stored). */
  #propagateToTurn(turn: { conversationId: string; promptNumber: number | null; eventId: number }, intent: string): void {
    const c = this.#classification;
    const intentCode = storedVocabularyValue('intent', intent);
    for (const { id } of c.turnRowsAwaitingIntent.all(turn) as Array<{ id: number }>) c.setTurnRowIntent.run({ id, intentCode });
  }

  /** The intent of the prompt this response or action answers, when it is already known (`conversationId` as stored). */
  #intentOfTurn(record: SerializedEvent, conversationId: string | null): string | null {
    if (conversationId === null) return null;
    if (record.event !== AI_EVENT.responseReceived && record.event !== AI_EVENT.userAction) return null;
    const c = this.#classification;
    const row = (
      record.promptNumber === null
        ? c.intentOfLatestPrompt.get(conversationId, record.timestamp)
        : c.intentOfPromptNumber.get(conversationId, record.promptNumber)
    ) as { intent: string | null } | undefined;
    return row?.intent ?? null;
  }

  /**
   * The model feedback counts under, stored with the row. The fold computes it again (its turn's response may
   * come later), usually to the same value: a row that grows after it is stored splits its full page, and setting
   * it only in the fold left one page of the events table in fifteen about half empty and as many a quarter empty
   * (7% of its bytes, measured 2026-12-04).
   */
  #turnModelOf(record: SerializedEvent, writeKey: Buffer, conversationId: string | null): string | null {
    if (record.event !== AI_EVENT.userAction || record.feedbackType === null) return null;
    return this.#statements.feedbackTurnModel.get({
      model: record.model,
      writeKey,
      responseId: record.responseId ?? null,
      conversationId,
      promptNumber: record.promptNumber,
      ts: record.timestamp,
    }) as string | null;
  }

  #resolveUserKey(record: SerializedEvent): string {
    if (record.userId !== null) return record.userId;
    if (record.anonymousId !== null) {
      const link = this.#statements.findLink.get(record.anonymousId) as { user_id: string } | undefined;
      return link?.user_id ?? record.anonymousId;
    }
    // alias without anonymousId carries userId; validation guarantees one of them.
    return record.previousId ?? '';
  }

  /** Makes every earlier event of `fromId` count for `userId` (identify / alias merge). */
  #link(fromId: string, userId: string, at: number, users: UserUpdates): void {
    if (fromId === userId) return;
    const s = this.#statements;
    s.upsertLink.run(fromId, userId, at);
    s.relabelEvents.run({ from: fromId, to: userId });
    // The merge copies the stored row of `fromId`: what this transaction gathered for it must be in it.
    users.flushAll();
    s.mergeUser.run({ from: fromId, to: userId });
    users.merged(userId);
  }
}


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

/**
 * The insert's values, bound by position: better-sqlite3 binds named
 * parameters by looking each one up on the object from C++, which was a
 * quarter of the insert's time (measured 2026-12-02); the values in
 * EVENT_COLUMNS order bind about 10% faster per event.
 */
function eventRowValues(record: SerializedEvent, resolved: ResolvedColumns): unknown[] {
  const row = eventRow(record, resolved);
  return EVENT_COLUMNS.map((column) => row[column]);
}

/** What the writer works out for an event beyond the record itself. */
interface ResolvedColumns {
  /** The key's code (migration 029), not the key. */
  writeKey: Buffer;
  intent: string | null;
  userKey: string;
  traffic: number;
  contextId: number;
  /** As stored (session-conversation-ids.ts, migration 041). */
  conversationId: string | null;
  /** Feedback's model as the fold computes it (#turnModelOf); null for every other event. */
  turnModel: string | null;
}

function eventRow(record: SerializedEvent, { writeKey, intent, userKey, traffic, contextId, conversationId, turnModel }: ResolvedColumns): EventRow {
  return {
    write_key: writeKey,
    // A canonical UUID as its 16 bytes (message-ids.ts, migration 040).
    message_id: storedMessageId(record.messageId),
    type_code: storedVocabularyValue('type', record.type),
    event_code: storedEventName(record.event),
    // Ingest stores an event with a user id under that id (#resolveUserKey): marked, not repeated (migration 036).
    user_id_stored: record.userId === null ? null : record.userId === userKey ? USER_ID_IS_KEY : record.userId,
    anonymous_id: record.anonymousId,
    user_key: userKey,
    // A canonical UUID in 23 characters (session-conversation-ids.ts, migration 041).
    session_id: storedIdOrNull(record.sessionId),
    conversation_id: conversationId,
    prompt_number: record.promptNumber,
    ts: record.timestamp,
    ...timeOffsets(record),
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
    status_code: storedVocabularyValue('status', record.columns.status),
    error_type: record.errorType,
    intent_code: storedVocabularyValue('intent', intent),
    // Sampling is a property of prompts; responses and actions only inherit the intent.
    intent_sampled: record.event === AI_EVENT.promptCreated && intent !== null ? 1 : null,
    action_type: record.actionType,
    feedback_type: record.feedbackType,
    feedback_value: record.feedbackValue,
    rating: record.rating,
    thumbs_up: record.thumbsUp === null ? null : record.thumbsUp ? 1 : 0,
    // The flags column (traffic-flags.ts): debug mode, bot, internal.
    debug: traffic,
    properties: record.properties,
    // The text is in the context dictionary (migration 017); the column keeps it only for older rows.
    context: '',
    context_id: contextId,
    traits: record.traits,
    extra: record.extra,
    prompt_length: record.columns.prompt_length,
    response_length: record.columns.response_length,
    input_method_code: storedVocabularyValue('input_method', record.columns.input_method),
    turn_model: turnModel,
  };
}
