import type Database from 'better-sqlite3';
import { type FoldEvent, PROMPT_EVENT, quarterOf, RESPONSE_EVENT } from './fold-event.js';
import { inKeyOrder } from './key-order.js';
import { createMultiRowUpsert, type UpsertSql } from './multi-row-upsert.js';
import { createTotal, type Total } from './total.js';

interface Activity { quarter: number; userKey: string; debug: number; prompts: number }
interface FirstActivity { userKey: string; firstTs: number | null; firstAnyTs: number }
interface Session { sessionId: string; debug: number; userKey: string; firstTs: number; lastTs: number; userMessages: number; botMessages: number }
interface Conversation { conversationId: string; debug: number; userKey: string; firstTs: number; prompts: number }
interface Cost { quarter: number; debug: number; userKey: string; responses: number; cost: Total; promptTokens: number; completionTokens: number; totalTokens: number }
interface ConversationQuarter { userKey: string; conversationId: string; debug: number; quarter: number; responses: number }

/**
 * The upserts of the user-level rollups (migrations 003 and 011), one row of
 * a batch's aggregate each: the merges are those of the per-event trigger
 * bodies — counts add, first and last times take the minimum and maximum,
 * the user of a session or conversation is the last writer's.
 */
const UPSERTS = {
  activity: {
    insert: 'INSERT INTO user_activity (quarter, user_key, debug, prompts)',
    columns: 4,
    onConflict: 'ON CONFLICT (quarter, user_key, debug) DO UPDATE SET prompts = prompts + excluded.prompts',
  },
  firstActivity: {
    insert: 'INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)',
    columns: 3,
    onConflict: `ON CONFLICT (user_key) DO UPDATE SET
       first_ts = MIN(COALESCE(first_ts, excluded.first_ts), COALESCE(excluded.first_ts, first_ts)),
       first_any_ts = MIN(first_any_ts, excluded.first_any_ts)`,
  },
  session: {
    insert: 'INSERT INTO session_rollup (session_id, debug, user_key, first_ts, last_ts, user_messages, bot_messages)',
    columns: 7,
    onConflict: `ON CONFLICT (session_id, debug) DO UPDATE SET
       user_key = excluded.user_key,
       first_ts = MIN(first_ts, excluded.first_ts),
       last_ts = MAX(last_ts, excluded.last_ts),
       user_messages = user_messages + excluded.user_messages,
       bot_messages = bot_messages + excluded.bot_messages`,
  },
  conversation: {
    insert: 'INSERT INTO conversation_rollup (conversation_id, debug, user_key, first_ts, prompts)',
    columns: 5,
    onConflict: `ON CONFLICT (conversation_id, debug) DO UPDATE SET
       user_key = excluded.user_key,
       first_ts = MIN(first_ts, excluded.first_ts),
       prompts = prompts + excluded.prompts`,
  },
  cost: {
    insert: 'INSERT INTO user_cost_rollup (quarter, debug, user_key, responses, cost, prompt_tokens, completion_tokens, total_tokens, new_conversations)',
    columns: 9,
    onConflict: `ON CONFLICT (quarter, debug, user_key) DO UPDATE SET
       responses = responses + excluded.responses,
       cost = cost + excluded.cost,
       prompt_tokens = prompt_tokens + excluded.prompt_tokens,
       completion_tokens = completion_tokens + excluded.completion_tokens,
       total_tokens = total_tokens + excluded.total_tokens`,
  },
  conversationQuarter: {
    insert: 'INSERT INTO user_conversation_quarters (user_key, conversation_id, debug, quarter, responses)',
    columns: 5,
    onConflict: 'ON CONFLICT (user_key, conversation_id, debug, quarter) DO UPDATE SET responses = responses + excluded.responses',
  },
} as const satisfies Record<string, UpsertSql>;

type Upserts = { readonly [name in keyof typeof UPSERTS]: (rows: readonly (readonly unknown[])[]) => void };

/**
 * Map keys: the numbers first, then the strings, each string but the last
 * prefixed with its length so that no two keys run together.
 */
const twoStringKey = (first: string, second: string): string => `${first.length}:${first}${second}`;

/**
 * One fold batch's part of the user-level rollups: `add` takes the batch's
 * prompts and responses in id order and aggregates them per rollup key,
 * `write` merges each aggregate into its table (an upsert per row, many rows
 * per statement) — what the per-event trigger bodies would have done one
 * event after the other. Aggregating in JavaScript reads the batch once
 * instead of once per table with a sort each (measured in batch-fold.ts).
 */
export class UserRollupBatch {
  readonly #upserts: Upserts;
  readonly #activity = new Map<string, Activity>();
  readonly #firstActivity = new Map<string, FirstActivity>();
  readonly #sessions = new Map<string, Session>();
  readonly #conversations = new Map<string, Conversation>();
  readonly #costs = new Map<string, Cost>();
  readonly #conversationQuarters = new Map<string, ConversationQuarter>();

  constructor(db: Database.Database) {
    this.#upserts = {
      activity: createMultiRowUpsert(db, UPSERTS.activity),
      firstActivity: createMultiRowUpsert(db, UPSERTS.firstActivity),
      session: createMultiRowUpsert(db, UPSERTS.session),
      conversation: createMultiRowUpsert(db, UPSERTS.conversation),
      cost: createMultiRowUpsert(db, UPSERTS.cost),
      conversationQuarter: createMultiRowUpsert(db, UPSERTS.conversationQuarter),
    };
  }

  /** Counts one prompt or response of the batch; call in id order (the last event's user is the session's). */
  add(row: FoldEvent): void {
    const [event, ts, debug, userKey, sessionId, conversationId] = row;
    const prompt = event === PROMPT_EVENT;
    const quarter = quarterOf(ts);
    if (sessionId !== null) this.#addSession(sessionId, debug, userKey, ts, prompt);
    if (prompt) {
      this.#addActivity(quarter, userKey, debug, ts);
      if (conversationId !== null) this.#addConversation(conversationId, debug, userKey, ts);
    } else if (event === RESPONSE_EVENT) {
      this.#addCost(quarter, row);
      if (conversationId !== null) this.#addConversationQuarter(userKey, conversationId, debug, quarter);
    }
  }

  /**
   * Merges the aggregates into the tables, each in its primary key's order (key-order.ts). The cost rows go
   * before the conversation quarters: the quarters' insert trigger (migration
   * 011) counts a conversation's first quarter in its cost row.
   */
  write(): void {
    const upserts = this.#upserts;
    upserts.activity(inKeyOrder(this.#activity.values(), ['quarter', 'userKey', 'debug']).map((row) => [row.quarter, row.userKey, row.debug, row.prompts]));
    upserts.firstActivity(inKeyOrder(this.#firstActivity.values(), ['userKey']).map((row) => [row.userKey, row.firstTs, row.firstAnyTs]));
    upserts.session(
      inKeyOrder(this.#sessions.values(), ['sessionId', 'debug']).map((row) => [row.sessionId, row.debug, row.userKey, row.firstTs, row.lastTs, row.userMessages, row.botMessages]),
    );
    upserts.conversation(
      inKeyOrder(this.#conversations.values(), ['conversationId', 'debug']).map((row) => [row.conversationId, row.debug, row.userKey, row.firstTs, row.prompts]),
    );
    upserts.cost(
      inKeyOrder(this.#costs.values(), ['quarter', 'debug', 'userKey']).map((row) => [
        row.quarter, row.debug, row.userKey, row.responses, row.cost.value(), row.promptTokens, row.completionTokens, row.totalTokens, 0,
      ]),
    );
    upserts.conversationQuarter(
      inKeyOrder(this.#conversationQuarters.values(), ['userKey', 'conversationId', 'debug', 'quarter']).map((row) => [
        row.userKey, row.conversationId, row.debug, row.quarter, row.responses,
      ]),
    );
  }

  /** Forgets the batch: call after write(), or when the batch was rolled back. */
  clear(): void {
    for (const map of [this.#activity, this.#firstActivity, this.#sessions, this.#conversations, this.#costs, this.#conversationQuarters]) map.clear();
  }

  #addActivity(quarter: number, userKey: string, debug: number, ts: number): void {
    const key = `${quarter}:${debug}:${userKey}`;
    const activity = this.#activity.get(key);
    if (activity === undefined) this.#activity.set(key, { quarter, userKey, debug, prompts: 1 });
    else activity.prompts += 1;
    // first_ts counts only non-debug prompts (NULL while there is none); first_any_ts every prompt.
    const firstTs = debug === 0 ? ts : null;
    const first = this.#firstActivity.get(userKey);
    if (first === undefined) {
      this.#firstActivity.set(userKey, { userKey, firstTs, firstAnyTs: ts });
      return;
    }
    if (firstTs !== null && (first.firstTs === null || firstTs < first.firstTs)) first.firstTs = firstTs;
    if (ts < first.firstAnyTs) first.firstAnyTs = ts;
  }

  #addSession(sessionId: string, debug: number, userKey: string, ts: number, prompt: boolean): void {
    const key = `${debug}:${sessionId}`;
    const session = this.#sessions.get(key);
    if (session === undefined) {
      this.#sessions.set(key, { sessionId, debug, userKey, firstTs: ts, lastTs: ts, userMessages: prompt ? 1 : 0, botMessages: prompt ? 0 : 1 });
      return;
    }
    session.userKey = userKey;
    if (ts < session.firstTs) session.firstTs = ts;
    if (ts > session.lastTs) session.lastTs = ts;
    if (prompt) session.userMessages += 1;
    else session.botMessages += 1;
  }

  #addConversation(conversationId: string, debug: number, userKey: string, ts: number): void {
    const key = `${debug}:${conversationId}`;
    const conversation = this.#conversations.get(key);
    if (conversation === undefined) {
      this.#conversations.set(key, { conversationId, debug, userKey, firstTs: ts, prompts: 1 });
      return;
    }
    conversation.userKey = userKey;
    if (ts < conversation.firstTs) conversation.firstTs = ts;
    conversation.prompts += 1;
  }

  #addCost(quarter: number, row: FoldEvent): void {
    const [, , debug, userKey, , , , , cost, promptTokens, completionTokens, totalTokens] = row;
    const key = `${quarter}:${debug}:${userKey}`;
    let sums = this.#costs.get(key);
    if (sums === undefined) {
      sums = { quarter, debug, userKey, responses: 0, cost: createTotal(), promptTokens: 0, completionTokens: 0, totalTokens: 0 };
      this.#costs.set(key, sums);
    }
    sums.responses += 1;
    if (cost !== null) sums.cost.add(cost);
    sums.promptTokens += promptTokens ?? 0;
    sums.completionTokens += completionTokens ?? 0;
    sums.totalTokens += totalTokens ?? 0;
  }

  #addConversationQuarter(userKey: string, conversationId: string, debug: number, quarter: number): void {
    const key = `${quarter}:${debug}:${twoStringKey(userKey, conversationId)}`;
    const conversationQuarter = this.#conversationQuarters.get(key);
    if (conversationQuarter === undefined) this.#conversationQuarters.set(key, { userKey, conversationId, debug, quarter, responses: 1 });
    else conversationQuarter.responses += 1;
  }
}
