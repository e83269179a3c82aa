import type { Migration } from './migration.js';

const PROMPT = `'ai_user_prompt_created'`;
const RESPONSE = `'ai_llm_response_received'`;
const ACTION = `'ai_user_action'`;
/** A UTC quarter-hour, as in migration 003: each falls in exactly one local day and hour of any zone. */
const QUARTER_MS = 900_000;
/**
 * Rollup keys cannot be NULL (WITHOUT ROWID primary keys), so a missing model
 * or intent is keyed as ''. Ingest never stores an empty one
 * (to-event-record.ts reads '' as absent), so '' cannot collide with a real value.
 */
const key = (expression: string): string => `COALESCE(${expression}, '')`;

// ------------------------------------------------------------ feedback: the model of the turn

/**
 * The model a feedback action (the updated `events` row) is about when it has
 * none of its own: that of the latest response of the same turn (same
 * conversation and prompt_number; without a prompt_number, the conversation's
 * latest response at or before the action). `events_response_turn` is named:
 * without statistics the planner would scan every response through `events_event_ts`.
 */
export const TURN_RESPONSE_MODEL = `CASE WHEN events.prompt_number IS NOT NULL THEN
      (SELECT r.model FROM events r INDEXED BY events_response_turn
        WHERE r.event = ${RESPONSE} AND r.conversation_id = events.conversation_id
          AND r.prompt_number = events.prompt_number AND r.model IS NOT NULL
        ORDER BY r.ts DESC, r.id DESC LIMIT 1)
    ELSE
      (SELECT r.model FROM events r INDEXED BY events_response_turn
        WHERE r.event = ${RESPONSE} AND r.conversation_id = events.conversation_id
          AND r.ts <= events.ts AND r.model IS NOT NULL
        ORDER BY r.ts DESC, r.id DESC LIMIT 1)
    END`;

// ------------------------------------------------------------ intent flows: consecutive prompts of a conversation

/**
 * One chain of prompts per conversation: with_debug = 1 links every prompt,
 * with_debug = 0 only the non-debug ones (what a query without include_debug
 * sees). Prompts are ordered by (ts, id), as the intent-flows query orders them.
 */
export interface PromptChain {
  withDebug: 0 | 1;
  /** Extra condition on a prompt of the chain. */
  member: string;
}
export const CHAINS: readonly PromptChain[] = [
  { withDebug: 1, member: '' },
  { withDebug: 0, member: ' AND debug = 0' },
];

/**
 * The id of the prompt before / after `pivot` (NEW or OLD) in the chain, through `events_turn_intent`.
 * `scope` narrows the prompts that count (migration 009: only those already folded into the rollups).
 */
export function neighbourSql(chain: PromptChain, pivot: string, side: 'previous' | 'next', scope = ''): string {
  const order = side === 'previous' ? 'ts <= @.ts AND (ts < @.ts OR id < @.id) ORDER BY ts DESC, id DESC' : 'ts >= @.ts AND (ts > @.ts OR id > @.id) ORDER BY ts, id';
  return `(SELECT id FROM events
      WHERE event = ${PROMPT} AND conversation_id = @.conversation_id${chain.member}${scope} AND ${order} LIMIT 1)`.replaceAll('@', pivot);
}

const FLOW_KEY = '(with_debug, to_quarter, from_quarter, from_intent, to_intent)';

/** Quarter and intent of a prompt row (an events alias, NEW or OLD). */
export const endOf = (row: string): FlowEnd => ({ quarter: `${row}.ts / ${QUARTER_MS}`, intent: key(`${row}.intent`) });

/** A new prompt NEW splits the transition previous → next into previous → NEW → next (`scope`: see neighbourSql). */
export function flowsOnInsertSql(chain: PromptChain, scope = ''): string {
  const member = chain.withDebug === 0 ? 'NEW.debug = 0 AND ' : '';
  const previous = `p.id = ${neighbourSql(chain, 'NEW', 'previous', scope)}`;
  const next = `n.id = ${neighbourSql(chain, 'NEW', 'next', scope)}`;
  const self = endOf('NEW');
  return [
    // CROSS JOIN looks the next prompt up first: usually there is none (prompts arrive in order) and the previous one is never sought.
    flowSql(chain, -1, { from: endOf('p'), to: endOf('n') }, 'FROM events n CROSS JOIN events p', `${member}${next} AND ${previous}`),
    flowSql(chain, 1, { from: endOf('p'), to: self }, 'FROM events p', `${member}${previous}`),
    flowSql(chain, 1, { from: self, to: endOf('n') }, 'FROM events n', `${member}${next}`),
  ].join('\n    ');
}

/** A prompt's intent changed from OLD.intent to NEW.intent: re-key its transitions from the previous and to the next prompt (`scope`: see neighbourSql). */
export function flowsOnIntentChangeSql(chain: PromptChain, scope = ''): string {
  const member = chain.withDebug === 0 ? 'NEW.debug = 0 AND ' : '';
  const p = endOf('p');
  const n = endOf('n');
  const before = { quarter: `NEW.ts / ${QUARTER_MS}`, intent: key('OLD.intent') };
  const after = { quarter: `NEW.ts / ${QUARTER_MS}`, intent: key('NEW.intent') };
  const previous = `${member}p.id = ${neighbourSql(chain, 'NEW', 'previous', scope)}`;
  const next = `${member}n.id = ${neighbourSql(chain, 'NEW', 'next', scope)}`;
  return [
    flowSql(chain, -1, { from: p, to: before }, 'FROM events p', previous),
    flowSql(chain, 1, { from: p, to: after }, 'FROM events p', previous),
    flowSql(chain, -1, { from: before, to: n }, 'FROM events n', next),
    flowSql(chain, 1, { from: after, to: n }, 'FROM events n', next),
  ].join('\n    ');
}

export interface FlowEnd {
  quarter: string;
  intent: string;
}

/** Adds or removes one transition from → to, for the rows `from`/`where` select (none: nothing happens). */
export function flowSql(chain: PromptChain, delta: 1 | -1, ends: { from: FlowEnd; to: FlowEnd }, from: string, where: string): string {
  const values = `${chain.withDebug}, ${ends.to.quarter}, ${ends.from.quarter}, ${ends.from.intent}, ${ends.to.intent}`;
  if (delta === 1) {
    return `INSERT INTO intent_flow_rollup (with_debug, to_quarter, from_quarter, from_intent, to_intent, transitions)
      SELECT ${values}, 1 ${from} WHERE ${where}
      ON CONFLICT ${FLOW_KEY} DO UPDATE SET transitions = transitions + 1;`;
  }
  const target = `${FLOW_KEY} = (SELECT ${values} ${from} WHERE ${where})`;
  return `UPDATE intent_flow_rollup SET transitions = transitions - 1 WHERE ${target};
    DELETE FROM intent_flow_rollup WHERE transitions <= 0 AND ${target};`;
}

// ------------------------------------------------------------ conversations with responses: entry quarters

/**
 * A chain is the set of UTC quarters in which one conversation has responses
 * (per debug flag, and per model for the model chain). Every quarter of a
 * chain is an "entry" keyed by the chain's previous quarter (-1: none), so
 * that the conversations with a response in quarters [q0, q1) are the entries
 * there whose previous quarter is before q0 (see response-queries.ts).
 */
interface ConversationChain {
  entries: string;
  /** Key columns besides quarter, debug and previous_quarter, and their NEW values. */
  columns: string;
  values: string;
  /** The chain's rows of conversation_response_quarters, NEW being one of them. */
  member: string;
  /** True when NEW is the chain's only row in NEW.quarter, i.e. the quarter is new to the chain. */
  isNew: string;
}
const CONVERSATION_CHAINS: readonly ConversationChain[] = [
  {
    entries: 'conversation_model_entries',
    columns: ', model',
    values: ', NEW.model',
    member: 'conversation_id = NEW.conversation_id AND debug = NEW.debug AND model = NEW.model',
    isNew: '1',
  },
  {
    entries: 'conversation_entries',
    columns: '',
    values: '',
    member: 'conversation_id = NEW.conversation_id AND debug = NEW.debug',
    isNew: `NOT EXISTS (SELECT 1 FROM conversation_response_quarters
                         WHERE conversation_id = NEW.conversation_id AND debug = NEW.debug AND quarter = NEW.quarter AND model <> NEW.model)`,
  },
];

/**
 * Runs when a conversation_response_quarters row is inserted (a quarter new to
 * the model chain): the quarter becomes an entry after the chain's previous
 * quarter, and the next quarter (if any) now follows it instead of that one.
 */
function conversationEntriesSql(chain: ConversationChain): string {
  const previous = `COALESCE((SELECT MAX(quarter) FROM conversation_response_quarters WHERE ${chain.member} AND quarter < NEW.quarter), -1)`;
  const next = `(SELECT MIN(quarter) FROM conversation_response_quarters WHERE ${chain.member} AND quarter > NEW.quarter)`;
  const keyColumns = `(quarter, debug${chain.columns}, previous_quarter)`;
  const ownKey = chain.columns === '' ? '' : ' AND model = NEW.model';
  const nextEntry = `${chain.isNew} AND debug = NEW.debug${ownKey} AND quarter = ${next} AND previous_quarter = ${previous}`;
  return `UPDATE ${chain.entries} SET conversations = conversations - 1 WHERE ${nextEntry};
      DELETE FROM ${chain.entries} WHERE conversations <= 0 AND ${nextEntry};
      INSERT INTO ${chain.entries} ${keyColumns.slice(0, -1)}, conversations)
        SELECT ${next}, NEW.debug${chain.values}, NEW.quarter, 1 WHERE ${chain.isNew} AND ${next} IS NOT NULL
        ON CONFLICT ${keyColumns} DO UPDATE SET conversations = conversations + 1;
      INSERT INTO ${chain.entries} ${keyColumns.slice(0, -1)}, conversations)
        SELECT NEW.quarter, NEW.debug${chain.values}, ${previous}, 1 WHERE ${chain.isNew}
        ON CONFLICT ${keyColumns} DO UPDATE SET conversations = conversations + 1;`;
}

/** Entries of a chain from its quarters (backfill). */
function conversationEntriesBackfillSql(chain: ConversationChain): string {
  const partition = chain.columns === '' ? 'conversation_id, debug' : 'conversation_id, debug, model';
  const quarters =
    chain.columns === ''
      ? 'SELECT DISTINCT conversation_id, debug, quarter FROM conversation_response_quarters'
      : 'SELECT conversation_id, debug, model, quarter FROM conversation_response_quarters';
  // OR REPLACE: a rebuild that empties the tables and re-runs the backfills with the triggers in
  // place (as bench/build-db.mjs does) has already filled the entries through the quarters' trigger.
  return `INSERT OR REPLACE INTO ${chain.entries} (quarter, debug${chain.columns}, previous_quarter, conversations)
      SELECT quarter, debug${chain.columns}, previous_quarter, COUNT(*)
        FROM (SELECT quarter, debug${chain.columns},
                     COALESCE(LAG(quarter) OVER (PARTITION BY ${partition} ORDER BY quarter), -1) AS previous_quarter
                FROM (${quarters}))
       GROUP BY quarter, debug${chain.columns}, previous_quarter;`;
}

// ------------------------------------------------------------ responses

/** response_rollup's sums and one response's contribution to each. */
export const RESPONSE_SUMS: readonly (readonly [column: string, contribution: (row: string) => string])[] = [
  ['responses', () => '1'],
  ['errors', (row) => `${row}.status IS 'error'`],
  ['timeouts', (row) => `${row}.status IS 'timeout'`],
  ['cost', (row) => `COALESCE(${row}.cost, 0)`],
  ['prompt_tokens', (row) => `COALESCE(${row}.prompt_tokens, 0)`],
  ['completion_tokens', (row) => `COALESCE(${row}.completion_tokens, 0)`],
  ['total_tokens', (row) => `COALESCE(${row}.total_tokens, 0)`],
];
const RESPONSE_SUM_COLUMNS = RESPONSE_SUMS.map(([column]) => column).join(', ');
const RESPONSE_KEY = (row: string): string =>
  `quarter = ${row}.ts / ${QUARTER_MS} AND debug = ${row}.debug AND model = ${key(`${row}.model`)} AND intent = ${key(`${row}.intent`)}`;

export function addResponseSql(row: string): string {
  return `INSERT INTO response_rollup (quarter, debug, model, intent, ${RESPONSE_SUM_COLUMNS})
      VALUES (${row}.ts / ${QUARTER_MS}, ${row}.debug, ${key(`${row}.model`)}, ${key(`${row}.intent`)},
              ${RESPONSE_SUMS.map(([, contribution]) => contribution(row)).join(', ')})
      ON CONFLICT (quarter, debug, model, intent) DO UPDATE SET
        ${RESPONSE_SUMS.map(([column]) => `${column} = ${column} + excluded.${column}`).join(', ')};`;
}

export function removeResponseSql(row: string): string {
  return `UPDATE response_rollup SET ${RESPONSE_SUMS.map(([column, contribution]) => `${column} = ${column} - (${contribution(row)})`).join(', ')}
       WHERE ${RESPONSE_KEY(row)};
      DELETE FROM response_rollup WHERE ${RESPONSE_KEY(row)} AND responses <= 0;`;
}

// ------------------------------------------------------------ response latencies: every value, for exact percentiles

/**
 * A latency as list text: integral values without ".0" (shorter, and parsed
 * on a fast path by latency-lists.ts), anything else as SQLite writes a REAL,
 * which reads back to the same double.
 */
const latencyText = (row: string): string =>
  `(CASE WHEN ${row}.latency_ms = CAST(${row}.latency_ms AS INTEGER) AND abs(${row}.latency_ms) < 1e15
      THEN CAST(CAST(${row}.latency_ms AS INTEGER) AS TEXT) ELSE CAST(${row}.latency_ms AS TEXT) END)`;
/** A list row takes values until it holds this many bytes, so that appending never rewrites a long row. */
const LATENCY_CHUNK_BYTES = 2000;
const LATENCY_KEY = (row: string): string =>
  `quarter = ${row}.ts / ${QUARTER_MS} AND debug = ${row}.debug AND model = ${key(`${row}.model`)} AND intent = ${key(`${row}.intent`)}`;

export function addLatencySql(row: string): string {
  return `INSERT INTO response_latencies (quarter, debug, model, intent, chunk, latencies)
      SELECT ${row}.ts / ${QUARTER_MS}, ${row}.debug, ${key(`${row}.model`)}, ${key(`${row}.intent`)},
             COALESCE((SELECT chunk + (length(latencies) >= ${LATENCY_CHUNK_BYTES}) FROM response_latencies
                        WHERE ${LATENCY_KEY(row)} ORDER BY chunk DESC LIMIT 1), 0),
             ${latencyText(row)}
       WHERE ${row}.latency_ms IS NOT NULL
      ON CONFLICT (quarter, debug, model, intent, chunk) DO UPDATE SET latencies = latencies || ',' || excluded.latencies;`;
}

/** Takes one occurrence of the row's value out of its key's lists (any occurrence: a list is a multiset). */
export function removeLatencySql(row: string): string {
  const list = `(',' || latencies || ',')`;
  const token = `(',' || ${latencyText(row)} || ',')`;
  return `UPDATE response_latencies
         SET latencies = trim(substr(${list}, 1, instr(${list}, ${token})) || substr(${list}, instr(${list}, ${token}) + length(${token})), ',')
       WHERE ${row}.latency_ms IS NOT NULL AND ${LATENCY_KEY(row)}
         AND chunk = (SELECT chunk FROM response_latencies WHERE ${LATENCY_KEY(row)} AND instr(${list}, ${token}) > 0 ORDER BY chunk LIMIT 1);
      DELETE FROM response_latencies WHERE ${LATENCY_KEY(row)} AND latencies = '';`;
}

// ------------------------------------------------------------ prompts

export function addPromptSql(row: string): string {
  return `INSERT INTO prompt_rollup (quarter, debug, intent, prompts, sampled, not_sampled)
      VALUES (${row}.ts / ${QUARTER_MS}, ${row}.debug, ${key(`${row}.intent`)}, 1, ${row}.intent_sampled IS 1, ${row}.intent_sampled IS 0)
      ON CONFLICT (quarter, debug, intent) DO UPDATE SET
        prompts = prompts + 1, sampled = sampled + excluded.sampled, not_sampled = not_sampled + excluded.not_sampled;`;
}

/** A prompt's intent or sampling changed from OLD to NEW: move it between prompt_rollup keys. */
export const PROMPT_ROLLUPS_ON_INTENT_CHANGE = `${addPromptSql('NEW')}
      UPDATE prompt_rollup SET prompts = prompts - 1, sampled = sampled - (OLD.intent_sampled IS 1), not_sampled = not_sampled - (OLD.intent_sampled IS 0)
       WHERE quarter = OLD.ts / ${QUARTER_MS} AND debug = OLD.debug AND intent = ${key('OLD.intent')};
      DELETE FROM prompt_rollup
       WHERE quarter = OLD.ts / ${QUARTER_MS} AND debug = OLD.debug AND intent = ${key('OLD.intent')} AND prompts <= 0;`;

/**
 * Fill the rollups (and `turn_model`) from the events already stored: run once
 * by the migration, and by tests checking that the triggers keep the rollups
 * equal to what these statements compute.
 */
export const EVENT_ROLLUP_BACKFILLS: readonly string[] = [
  `INSERT INTO response_rollup (quarter, debug, model, intent, ${RESPONSE_SUM_COLUMNS})
      SELECT ts / ${QUARTER_MS}, debug, ${key('model')}, ${key('intent')}, COUNT(*), SUM(status IS 'error'), SUM(status IS 'timeout'), TOTAL(cost),
             COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0), COALESCE(SUM(total_tokens), 0)
        FROM events WHERE event = ${RESPONSE}
       GROUP BY 1, 2, 3, 4;`,
  `INSERT INTO prompt_rollup (quarter, debug, intent, prompts, sampled, not_sampled)
      SELECT ts / ${QUARTER_MS}, debug, ${key('intent')}, COUNT(*), SUM(intent_sampled IS 1), SUM(intent_sampled IS 0)
        FROM events WHERE event = ${PROMPT}
       GROUP BY 1, 2, 3;`,
  `INSERT INTO intent_flow_rollup (with_debug, to_quarter, from_quarter, from_intent, to_intent, transitions)
      SELECT with_debug, ts / ${QUARTER_MS}, previous_ts / ${QUARTER_MS}, previous_intent, intent, COUNT(*)
        FROM (${CHAINS.map(
          (chain) => `SELECT ${chain.withDebug} AS with_debug, ts, ${key('intent')} AS intent,
                     LAG(ts) OVER turn AS previous_ts, ${key('LAG(intent) OVER turn')} AS previous_intent
                FROM events WHERE event = ${PROMPT} AND conversation_id IS NOT NULL${chain.member}
              WINDOW turn AS (PARTITION BY conversation_id ORDER BY ts, id)`,
        ).join(' UNION ALL ')})
       WHERE previous_ts IS NOT NULL
       GROUP BY 1, 2, 3, 4, 5;`,
  `INSERT INTO conversation_response_quarters (conversation_id, debug, model, quarter, responses)
      SELECT conversation_id, debug, ${key('model')}, ts / ${QUARTER_MS}, COUNT(*)
        FROM events WHERE event = ${RESPONSE} AND conversation_id IS NOT NULL
       GROUP BY 1, 2, 3, 4;`,
  ...CONVERSATION_CHAINS.map(conversationEntriesBackfillSql),
  `INSERT INTO response_latencies (quarter, debug, model, intent, chunk, latencies)
      SELECT quarter, debug, model, intent, position / 300, group_concat(latency, ',')
        FROM (SELECT ts / ${QUARTER_MS} AS quarter, debug, ${key('model')} AS model, ${key('intent')} AS intent,
                     ${latencyText('events')} AS latency,
                     ROW_NUMBER() OVER (PARTITION BY ts / ${QUARTER_MS}, debug, model, intent) - 1 AS position
                FROM events WHERE event = ${RESPONSE} AND latency_ms IS NOT NULL)
       GROUP BY 1, 2, 3, 4, 5;`,
  `UPDATE events SET turn_model = COALESCE(model, ${TURN_RESPONSE_MODEL})
     WHERE event = ${ACTION} AND feedback_type IS NOT NULL;`,
];

/**
 * Rollups for the per-event metrics, so that they read a few rows per UTC
 * quarter-hour instead of every response or prompt of the range:
 *
 * - `response_rollup`: responses, failures, spend and tokens per
 *   quarter, debug flag, model and intent (errors, cost);
 * - `response_latencies`: every latency_ms under the same key, as text lists
 *   (exact latency percentiles without reading every response);
 * - `prompt_rollup`: prompts and sampling outcome per quarter and intent
 *   (intents, classification, peak hours by intent);
 * - `intent_flow_rollup`: transitions between consecutive prompts of a
 *   conversation, keyed by the quarters of both prompts (intent flows);
 * - `conversation_response_quarters` and the two entry tables: distinct
 *   conversations with responses in a range (cost per conversation);
 * - `events.turn_model`: a feedback action's model, its own or its turn's
 *   (satisfaction by model), kept current when the turn's response arrives later.
 *
 * Triggers maintain them inside the ingest transaction, and when the
 * classification worker sets an intent later (classification-statements.ts);
 * relabelling user_key touches none of them. Existing events are backfilled.
 */
export const eventRollupsMigration: Migration = {
  version: 4,
  name: 'response, prompt, intent-flow and conversation rollups; feedback turn model',
  sql: `
    CREATE TABLE response_rollup (
      quarter           INTEGER NOT NULL,
      debug             INTEGER NOT NULL,
      model             TEXT    NOT NULL, -- '' = none
      intent            TEXT    NOT NULL, -- '' = none
      responses         INTEGER NOT NULL,
      errors            INTEGER NOT NULL,
      timeouts          INTEGER NOT NULL,
      cost              REAL    NOT NULL,
      prompt_tokens     INTEGER NOT NULL,
      completion_tokens INTEGER NOT NULL,
      total_tokens      INTEGER NOT NULL,
      PRIMARY KEY (quarter, debug, model, intent)
    ) WITHOUT ROWID;

    -- every latency_ms, as comma-separated lists: exact percentiles read a few rows per quarter, not every response
    CREATE TABLE response_latencies (
      quarter   INTEGER NOT NULL,
      debug     INTEGER NOT NULL,
      model     TEXT    NOT NULL, -- '' = none
      intent    TEXT    NOT NULL, -- '' = none
      chunk     INTEGER NOT NULL,
      latencies TEXT    NOT NULL,
      PRIMARY KEY (quarter, debug, model, intent, chunk)
    ) WITHOUT ROWID;

    CREATE TABLE prompt_rollup (
      quarter     INTEGER NOT NULL,
      debug       INTEGER NOT NULL,
      intent      TEXT    NOT NULL, -- '' = none
      prompts     INTEGER NOT NULL,
      sampled     INTEGER NOT NULL, -- intent_sampled = 1
      not_sampled INTEGER NOT NULL, -- intent_sampled = 0
      PRIMARY KEY (quarter, debug, intent)
    ) WITHOUT ROWID;

    -- from_quarter ≤ to_quarter: both prompts lie in [q0, q1) when from_quarter ≥ q0 and to_quarter < q1
    CREATE TABLE intent_flow_rollup (
      with_debug   INTEGER NOT NULL,
      to_quarter   INTEGER NOT NULL,
      from_quarter INTEGER NOT NULL,
      from_intent  TEXT    NOT NULL, -- '' = none
      to_intent    TEXT    NOT NULL,
      transitions  INTEGER NOT NULL,
      PRIMARY KEY (with_debug, to_quarter, from_quarter, from_intent, to_intent)
    ) WITHOUT ROWID;

    CREATE TABLE conversation_response_quarters (
      conversation_id TEXT    NOT NULL,
      debug           INTEGER NOT NULL,
      model           TEXT    NOT NULL, -- '' = none
      quarter         INTEGER NOT NULL,
      responses       INTEGER NOT NULL,
      PRIMARY KEY (conversation_id, debug, model, quarter)
    ) WITHOUT ROWID;
    -- per conversation (any model) and per conversation and model
    CREATE TABLE conversation_entries (
      quarter          INTEGER NOT NULL,
      debug            INTEGER NOT NULL,
      previous_quarter INTEGER NOT NULL, -- -1 = first quarter of the conversation
      conversations    INTEGER NOT NULL,
      PRIMARY KEY (quarter, debug, previous_quarter)
    ) WITHOUT ROWID;
    CREATE TABLE conversation_model_entries (
      quarter          INTEGER NOT NULL,
      debug            INTEGER NOT NULL,
      model            TEXT    NOT NULL, -- '' = none
      previous_quarter INTEGER NOT NULL,
      conversations    INTEGER NOT NULL,
      PRIMARY KEY (quarter, debug, model, previous_quarter)
    ) WITHOUT ROWID;

    -- intents, classification, peak hours and intent flows read prompt_rollup and intent_flow_rollup now
    DROP INDEX events_prompt_metrics;

    ALTER TABLE events ADD COLUMN turn_model TEXT;
    -- replaces events_feedback_metrics: satisfaction reads turn_model instead of looking the turn up per action
    DROP INDEX events_feedback_metrics;
    CREATE INDEX events_feedback_turn_metrics ON events
      (ts, debug, feedback_type, rating, thumbs_up, intent, turn_model, conversation_id)
      WHERE event = ${ACTION} AND feedback_type IS NOT NULL;
    -- feedback waiting for its turn's response to name the model
    CREATE INDEX events_feedback_turn ON events (conversation_id, prompt_number, ts)
      WHERE event = ${ACTION} AND feedback_type IS NOT NULL AND model IS NULL;

    ${EVENT_ROLLUP_BACKFILLS.join('\n    ')}


    -- Migration 003's relabel trigger, with one change: the old key's first prompt is recomputed
    -- through events_user_ts. Without statistics SQLite read it through events_event_ts, i.e. every
    -- prompt of the database per relabelled prompt: an identify that relabels an anonymous visitor
    -- took minutes on 10M events.
    DROP TRIGGER events_rollups_relabel;
    CREATE TRIGGER events_rollups_relabel AFTER UPDATE OF user_key ON events
    WHEN OLD.user_key IS NOT NEW.user_key AND NEW.event IN (${PROMPT}, ${RESPONSE})
    BEGIN
      INSERT INTO user_activity (quarter, user_key, debug, prompts)
        SELECT NEW.ts / ${QUARTER_MS}, NEW.user_key, NEW.debug, 1 WHERE NEW.event = ${PROMPT}
        ON CONFLICT (quarter, user_key, debug) DO UPDATE SET prompts = prompts + 1;
      UPDATE user_activity SET prompts = prompts - 1
       WHERE NEW.event = ${PROMPT} AND quarter = OLD.ts / ${QUARTER_MS} AND user_key = OLD.user_key AND debug = OLD.debug;
      DELETE FROM user_activity
       WHERE quarter = OLD.ts / ${QUARTER_MS} AND user_key = OLD.user_key AND debug = OLD.debug AND prompts <= 0;
      INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)
        SELECT NEW.user_key, CASE WHEN NEW.debug = 0 THEN NEW.ts END, NEW.ts WHERE NEW.event = ${PROMPT}
        ON CONFLICT (user_key) DO UPDATE SET
          first_ts = MIN(COALESCE(first_ts, excluded.first_ts), COALESCE(excluded.first_ts, first_ts)),
          first_any_ts = MIN(first_any_ts, excluded.first_any_ts);
      -- the old key's first prompt may just have moved: recompute it from what it still owns
      DELETE FROM user_first_activity WHERE NEW.event = ${PROMPT} AND user_key = OLD.user_key;
      INSERT INTO user_first_activity (user_key, first_ts, first_any_ts)
        SELECT OLD.user_key, MIN(CASE WHEN debug = 0 THEN ts END), MIN(ts) FROM events INDEXED BY events_user_ts
         WHERE NEW.event = ${PROMPT} AND user_key = OLD.user_key AND event = ${PROMPT}
        HAVING COUNT(*) > 0;
      UPDATE session_rollup SET user_key = NEW.user_key
       WHERE session_id = NEW.session_id AND debug = NEW.debug AND user_key = OLD.user_key;
      UPDATE conversation_rollup SET user_key = NEW.user_key
       WHERE NEW.event = ${PROMPT} AND conversation_id = NEW.conversation_id AND debug = NEW.debug AND user_key = OLD.user_key;
    END;

    CREATE TRIGGER events_response_rollups_insert AFTER INSERT ON events
    WHEN NEW.event = ${RESPONSE}
    BEGIN
      ${addResponseSql('NEW')}
      ${addLatencySql('NEW')}
    END;

    CREATE TRIGGER events_conversation_quarters_insert AFTER INSERT ON events
    WHEN NEW.event = ${RESPONSE} AND NEW.conversation_id IS NOT NULL
    BEGIN
      INSERT INTO conversation_response_quarters (conversation_id, debug, model, quarter, responses)
        VALUES (NEW.conversation_id, NEW.debug, ${key('NEW.model')}, NEW.ts / ${QUARTER_MS}, 1)
        ON CONFLICT (conversation_id, debug, model, quarter) DO UPDATE SET responses = responses + 1;
      -- feedback that arrived before this response of its turn now gets its model
      UPDATE events SET turn_model = ${TURN_RESPONSE_MODEL}
       WHERE event = ${ACTION} AND feedback_type IS NOT NULL AND model IS NULL
         AND conversation_id = NEW.conversation_id AND NEW.model IS NOT NULL
         AND (prompt_number = NEW.prompt_number OR (prompt_number IS NULL AND ts >= NEW.ts));
    END;

    -- only a quarter new to a conversation's chain changes its entries (the upsert above inserts a row)
    CREATE TRIGGER conversation_response_quarters_entries AFTER INSERT ON conversation_response_quarters
    BEGIN
      ${CONVERSATION_CHAINS.map(conversationEntriesSql).join('\n      ')}
    END;

    -- the classification worker sets a turn's intent after the response arrived (propagateToTurn)
    CREATE TRIGGER events_response_rollups_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${RESPONSE} AND OLD.intent IS NOT NEW.intent
    BEGIN
      ${addResponseSql('NEW')}
      ${removeResponseSql('OLD')}
      ${addLatencySql('NEW')}
      ${removeLatencySql('OLD')}
    END;

    CREATE TRIGGER events_prompt_rollups_insert AFTER INSERT ON events
    WHEN NEW.event = ${PROMPT}
    BEGIN
      ${addPromptSql('NEW')}
    END;

    CREATE TRIGGER events_intent_flows_insert AFTER INSERT ON events
    WHEN NEW.event = ${PROMPT} AND NEW.conversation_id IS NOT NULL
    BEGIN
      ${CHAINS.map((chain) => flowsOnInsertSql(chain)).join('\n    ')}
    END;

    -- setPromptIntent (classification) sets intent and intent_sampled of a prompt
    CREATE TRIGGER events_prompt_rollups_intent AFTER UPDATE OF intent, intent_sampled ON events
    WHEN NEW.event = ${PROMPT} AND (OLD.intent IS NOT NEW.intent OR OLD.intent_sampled IS NOT NEW.intent_sampled)
    BEGIN
      ${PROMPT_ROLLUPS_ON_INTENT_CHANGE}
    END;

    CREATE TRIGGER events_intent_flows_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${PROMPT} AND NEW.conversation_id IS NOT NULL AND OLD.intent IS NOT NEW.intent
    BEGIN
      ${CHAINS.map((chain) => flowsOnIntentChangeSql(chain)).join('\n    ')}
    END;

    CREATE TRIGGER events_feedback_turn_model AFTER INSERT ON events
    WHEN NEW.event = ${ACTION} AND NEW.feedback_type IS NOT NULL
    BEGIN
      UPDATE events SET turn_model = COALESCE(model, ${TURN_RESPONSE_MODEL}) WHERE id = NEW.id;
    END;
  `,
};
