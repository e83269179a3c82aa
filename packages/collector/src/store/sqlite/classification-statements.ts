import type Database from 'better-sqlite3';
import { CLASSIFICATION_ERROR } from '../../classification/classification-worker.js';
import { AI_EVENT } from '../../protocol/index.js';
import { eventCodeSql, storedVocabularyValue } from './vocabulary-codes.js';

const PROMPT = eventCodeSql(AI_EVENT.promptCreated);

/** The kinds of event that belong to a prompt's turn, each with the index that finds it by turn (migration 034). */
const TURN_KINDS = [
  { event: eventCodeSql(AI_EVENT.responseReceived), index: 'events_response_turn' },
  { event: eventCodeSql(AI_EVENT.userAction), index: 'events_action_turn' },
] as const;

/**
 * SQL: ids of the responses and actions of the turn of prompt `@eventId`
 * (`@conversationId`, `@promptNumber`) that have no intent yet. A row belongs
 * to the turn by its prompt number or, sent without one, when this prompt is
 * the latest of the conversation at or before it. Each branch reads one
 * index range of the turn; no index holds every event of a conversation.
 */
const TURN_ROWS_AWAITING_INTENT = TURN_KINDS.flatMap(({ event, index }) => {
  const turnRows = `SELECT t.id FROM events t INDEXED BY ${index}
        WHERE t.event_code = ${event} AND t.conversation_id = @conversationId AND t.intent IS NULL`;
  return [
    `${turnRows} AND t.prompt_number = @promptNumber`,
    `${turnRows} AND t.prompt_number IS NULL
          AND (SELECT p.id FROM events p
                WHERE p.event_code = ${PROMPT} AND p.conversation_id = t.conversation_id AND p.ts <= t.ts
                ORDER BY p.ts DESC, p.id DESC LIMIT 1) = @eventId`,
  ];
}).join('\n      UNION ALL\n      ');

const CLASSIFICATION_SQL = {
    nextQueued: `SELECT q.event_id AS eventId, q.prompt_text AS text, e.user_key AS userKey,
              CASE WHEN json_valid(u.traits) THEN json_extract(u.traits, '$.plan') END AS plan, COALESCE(u.first_seen_ts, e.ts) AS firstSeenAt
         FROM intent_queue q
         JOIN events e ON e.id = q.event_id
         LEFT JOIN users u ON u.user_key = e.user_key
        ORDER BY q.event_id
        LIMIT ?`,
    countQueued: 'SELECT COUNT(*) AS count FROM intent_queue',
    costOnDay: 'SELECT TOTAL(cost) AS cost FROM classification_usage WHERE day = ? AND classifier = ?',
    oldestQueued: 'SELECT event_id AS eventId FROM intent_queue ORDER BY event_id LIMIT 1',
    oldestQueuedAt: 'SELECT MIN(enqueued_at) AS at FROM intent_queue',
    // The stored form of the intent (migration 036): the writer binds storedVocabularyValue('intent', …).
    setPromptIntent: `UPDATE events SET intent_code = @intentCode, intent_sampled = @sampled WHERE id = @eventId
       RETURNING conversation_id AS conversationId, prompt_number AS promptNumber`,
    // A turn's response and actions stored before its prompt was classified:
    // nearly never (they follow their prompt), yet asked for every prompt
    // classified at ingest, so each kind is read through its own index range.
    turnRowsAwaitingIntent: TURN_ROWS_AWAITING_INTENT,
    // One row of those (an UPDATE … WHERE id IN (subquery) cost 30 µs even when the list was empty).
    setTurnRowIntent: 'UPDATE events SET intent_code = @intentCode WHERE id = @id AND intent_code IS NULL',
    dequeue: 'DELETE FROM intent_queue WHERE event_id = ?',
    // Dead letter: a prompt that cannot be processed is marked and its text erased, so it never blocks the queue.
    markClassificationError: `UPDATE events SET intent_code = ${storedVocabularyValue('intent', CLASSIFICATION_ERROR)}, intent_sampled = 1
       WHERE id = ? AND intent_code IS NULL`,
    addUsage: `INSERT INTO classification_usage (day, classifier, prompts, cached, errors, not_sampled, prompt_tokens, completion_tokens, cost)
       VALUES (@day, @classifier, @prompts, @cached, @errors, @notSampled, @promptTokens, @completionTokens, @cost)
       ON CONFLICT (day, classifier) DO UPDATE SET
         prompts = prompts + excluded.prompts,
         cached = cached + excluded.cached,
         errors = errors + excluded.errors,
         not_sampled = not_sampled + excluded.not_sampled,
         prompt_tokens = prompt_tokens + excluded.prompt_tokens,
         completion_tokens = completion_tokens + excluded.completion_tokens,
         cost = cost + excluded.cost`,
    // At ingest: a response or action arriving after its prompt was classified.
    intentOfPromptNumber: `SELECT intent FROM events
        WHERE event_code = ${PROMPT} AND conversation_id = ? AND prompt_number = ? AND intent IS NOT NULL
        ORDER BY ts DESC LIMIT 1`,
    intentOfLatestPrompt: `SELECT intent FROM events
        WHERE event_code = ${PROMPT} AND conversation_id = ? AND ts <= ?
        ORDER BY ts DESC, id DESC LIMIT 1`,
} as const;

export type ClassificationStatements = Record<keyof typeof CLASSIFICATION_SQL, Database.Statement>;

/** Statements of the classification queue and of turn-intent propagation. */
export function prepareClassificationStatements(db: Database.Database): ClassificationStatements {
  const entries = Object.entries(CLASSIFICATION_SQL).map(([name, sql]) => [name, db.prepare(sql)]);
  return Object.fromEntries(entries) as ClassificationStatements;
}
