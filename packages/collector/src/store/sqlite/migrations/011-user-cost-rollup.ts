import type { Migration } from './migration.js';
import { FOLDED_THROUGH } from './009-rollup-materializer.js';

const RESPONSE = `'ai_llm_response_received'`;
/** A UTC quarter-hour, as in migrations 003–010: every zone's local days are whole quarters. */
const QUARTER_MS = 900_000;

/** user_cost_rollup's sums and one response's contribution to each. */
const COST_SUMS: readonly (readonly [column: string, contribution: (row: string) => string])[] = [
  ['responses', () => '1'],
  ['cost', (row) => `COALESCE(${row}.cost, 0)`],
  ['prompt_tokens', (row) => `COALESCE(${row}.prompt_tokens, 0)`],
  ['completion_tokens', (row) => `COALESCE(${row}.completion_tokens, 0)`],
  ['total_tokens', (row) => `COALESCE(${row}.total_tokens, 0)`],
];
const COST_SUM_COLUMNS = COST_SUMS.map(([column]) => column).join(', ');
const COST_KEY = (row: string): string => `quarter = ${row}.ts / ${QUARTER_MS} AND debug = ${row}.debug AND user_key = ${row}.user_key`;
const PRESENCE_KEY = (row: string): string =>
  `user_key = ${row}.user_key AND conversation_id = ${row}.conversation_id AND debug = ${row}.debug AND quarter = ${row}.ts / ${QUARTER_MS}`;

/** Response `row` (NEW or OLD of an events trigger) counts for its user: its sums, and its conversation's quarter. */
function addUserCostSql(row: string): string {
  return `INSERT INTO user_cost_rollup (quarter, debug, user_key, ${COST_SUM_COLUMNS}, new_conversations)
        VALUES (${row}.ts / ${QUARTER_MS}, ${row}.debug, ${row}.user_key, ${COST_SUMS.map(([, contribution]) => contribution(row)).join(', ')}, 0)
        ON CONFLICT (quarter, debug, user_key) DO UPDATE SET
          ${COST_SUMS.map(([column]) => `${column} = ${column} + excluded.${column}`).join(', ')};
      INSERT INTO user_conversation_quarters (user_key, conversation_id, debug, quarter, responses)
        SELECT ${row}.user_key, ${row}.conversation_id, ${row}.debug, ${row}.ts / ${QUARTER_MS}, 1 WHERE ${row}.conversation_id IS NOT NULL
        ON CONFLICT (user_key, conversation_id, debug, quarter) DO UPDATE SET responses = responses + 1;`;
}

/** The inverse of addUserCostSql: counters go down, rows that reach zero go. */
function removeUserCostSql(row: string): string {
  return `UPDATE user_cost_rollup SET ${COST_SUMS.map(([column, contribution]) => `${column} = ${column} - (${contribution(row)})`).join(', ')}
       WHERE ${COST_KEY(row)};
      DELETE FROM user_cost_rollup WHERE ${COST_KEY(row)} AND responses <= 0;
      UPDATE user_conversation_quarters SET responses = responses - 1 WHERE ${row}.conversation_id IS NOT NULL AND ${PRESENCE_KEY(row)};
      DELETE FROM user_conversation_quarters WHERE ${row}.conversation_id IS NOT NULL AND ${PRESENCE_KEY(row)} AND responses <= 0;`;
}

/** The quarters of one (user, conversation, flags) chain, `row` being a row of user_conversation_quarters. */
const CHAIN = (row: string): string => `user_key = ${row}.user_key AND conversation_id = ${row}.conversation_id AND debug = ${row}.debug`;
const previousQuarterSql = (row: string): string =>
  `COALESCE((SELECT MAX(quarter) FROM user_conversation_quarters WHERE ${CHAIN(row)} AND quarter < ${row}.quarter), -1)`;
const nextQuarterSql = (row: string): string =>
  `(SELECT MIN(quarter) FROM user_conversation_quarters WHERE ${CHAIN(row)} AND quarter > ${row}.quarter)`;
const ENTRY_KEY = '(quarter, debug, user_key, previous_quarter)';

/**
 * Adds (`sign` 1) or takes away (−1) one conversation at entry (quarter,
 * previous) of `row`'s user and flags. A conversation's first quarter (no
 * previous one, −1) is most entries (93% in the bench data): it is counted in
 * that quarter's user_cost_rollup row, which a query reads anyway, so that
 * user_conversation_entries holds only the quarters that continue a
 * conversation. The cost row exists: the quarter has a response of the user.
 */
function moveEntrySql(row: string, quarter: string, previous: string, sign: 1 | -1): string {
  const first = `UPDATE user_cost_rollup SET new_conversations = new_conversations + (${sign})
       WHERE ${previous} = -1 AND quarter = ${quarter} AND debug = ${row}.debug AND user_key = ${row}.user_key;`;
  const entry = `quarter = ${quarter} AND debug = ${row}.debug AND user_key = ${row}.user_key AND previous_quarter = ${previous}`;
  if (sign === 1) {
    return `${first}
      INSERT INTO user_conversation_entries ${ENTRY_KEY.slice(0, -1)}, conversations)
        SELECT ${quarter}, ${row}.debug, ${row}.user_key, ${previous}, 1 WHERE ${previous} >= 0 AND ${quarter} IS NOT NULL
        ON CONFLICT ${ENTRY_KEY} DO UPDATE SET conversations = conversations + 1;`;
  }
  return `${first}
      UPDATE user_conversation_entries SET conversations = conversations - 1 WHERE ${entry};
      DELETE FROM user_conversation_entries WHERE ${entry} AND conversations <= 0;`;
}

/**
 * Whether more than one user has responses in `row`'s conversation, looked up
 * through `user_conversation_quarters_conversation`: at most two index steps.
 */
const sharedSql = (row: string): string =>
  `EXISTS (SELECT 1 FROM user_conversation_quarters INDEXED BY user_conversation_quarters_conversation
            WHERE conversation_id = ${row}.conversation_id AND user_key <> (
              SELECT user_key FROM user_conversation_quarters INDEXED BY user_conversation_quarters_conversation
               WHERE conversation_id = ${row}.conversation_id LIMIT 1))`;

/**
 * Cost by user segment without reading responses (`cost?group_by=segment`,
 * metrics/segment-cost-queries.ts): per UTC quarter-hour, traffic flags and
 * user, the sums of the user's responses, so a query reads one row per user
 * and active quarter of the range and looks each user's trait up once.
 *
 * - `user_cost_rollup(quarter, debug, user_key, responses, cost, tokens…)`.
 * - Distinct conversations, as migration 004's entry rollups count them but per
 *   user: `user_conversation_quarters` holds each (user, conversation, flags)
 *   quarter with responses (for upkeep only, never read by a metric); each is
 *   an entry after the conversation's previous such quarter, or none (−1). A
 *   user's distinct conversations in quarters [a, b) are the entries there
 *   whose previous quarter is before a. Entries with none are counted in the
 *   cost row (`new_conversations`), the others in `user_conversation_entries`
 *   per quarter, flags, user and `previous_quarter`; triggers on the quarters
 *   table keep both when a quarter appears (fold, relabel) or goes (relabel, delete).
 * - `shared_conversations`: the conversation ids that more than one user has
 *   responses in (an anonymous id linked to a second user mid-conversation). A
 *   segment counts such a conversation once, not once per user: the query
 *   corrects for these few from their rows in user_conversation_quarters.
 *
 * Folded a batch at a time (user-rollup-folds.ts); re-keyed when identify/alias
 * relabels a folded response (as migration 009's relabel trigger does for the
 * user rollups of 003); taken out when an event is deleted (as 008). Events
 * already folded are backfilled; later ones are left to the materializer.
 */
export const userCostRollupMigration: Migration = {
  version: 11,
  name: 'cost per user and quarter-hour',
  sql: `
    CREATE TABLE user_cost_rollup (
      quarter           INTEGER NOT NULL,
      debug             INTEGER NOT NULL,
      user_key          TEXT    NOT NULL,
      responses         INTEGER NOT NULL,
      cost              REAL    NOT NULL,
      prompt_tokens     INTEGER NOT NULL,
      completion_tokens INTEGER NOT NULL,
      total_tokens      INTEGER NOT NULL,
      new_conversations INTEGER NOT NULL, -- conversations of the user whose first quarter (in these flags) this is
      PRIMARY KEY (quarter, debug, user_key)
    ) WITHOUT ROWID;

    CREATE TABLE user_conversation_quarters (
      user_key        TEXT    NOT NULL,
      conversation_id TEXT    NOT NULL,
      debug           INTEGER NOT NULL,
      quarter         INTEGER NOT NULL,
      responses       INTEGER NOT NULL,
      PRIMARY KEY (user_key, conversation_id, debug, quarter)
    ) WITHOUT ROWID;
    CREATE INDEX user_conversation_quarters_conversation ON user_conversation_quarters (conversation_id, user_key);

    CREATE TABLE user_conversation_entries (
      quarter          INTEGER NOT NULL,
      debug            INTEGER NOT NULL,
      user_key         TEXT    NOT NULL,
      previous_quarter INTEGER NOT NULL,
      conversations    INTEGER NOT NULL,
      PRIMARY KEY (quarter, debug, user_key, previous_quarter)
    ) WITHOUT ROWID;

    CREATE TABLE shared_conversations (conversation_id TEXT PRIMARY KEY) WITHOUT ROWID;

    -- backfill from the events already folded; the materializer folds the rest
    INSERT INTO user_cost_rollup (quarter, debug, user_key, ${COST_SUM_COLUMNS}, new_conversations)
      SELECT ts / ${QUARTER_MS}, debug, user_key, COUNT(*), TOTAL(cost), SUM(COALESCE(prompt_tokens, 0)),
             SUM(COALESCE(completion_tokens, 0)), SUM(COALESCE(total_tokens, 0)), 0
        FROM events WHERE event = ${RESPONSE} AND id <= ${FOLDED_THROUGH}
       GROUP BY 1, 2, 3;
    INSERT INTO user_conversation_quarters (user_key, conversation_id, debug, quarter, responses)
      SELECT user_key, conversation_id, debug, ts / ${QUARTER_MS}, COUNT(*)
        FROM events WHERE event = ${RESPONSE} AND conversation_id IS NOT NULL AND id <= ${FOLDED_THROUGH}
       GROUP BY 1, 2, 3, 4;
    INSERT INTO user_conversation_entries ${ENTRY_KEY.slice(0, -1)}, conversations)
      SELECT quarter, debug, user_key, previous_quarter, COUNT(*)
        FROM (SELECT quarter, debug, user_key,
                     COALESCE(LAG(quarter) OVER (PARTITION BY user_key, conversation_id, debug ORDER BY quarter), -1) AS previous_quarter
                FROM user_conversation_quarters)
       WHERE previous_quarter >= 0
       GROUP BY 1, 2, 3, 4;
    UPDATE user_cost_rollup SET new_conversations = first.conversations
      FROM (SELECT quarter, debug, user_key, COUNT(*) AS conversations
              FROM (SELECT user_key, debug, MIN(quarter) AS quarter FROM user_conversation_quarters GROUP BY user_key, conversation_id, debug)
             GROUP BY 1, 2, 3) AS first
     WHERE user_cost_rollup.quarter = first.quarter AND user_cost_rollup.debug = first.debug AND user_cost_rollup.user_key = first.user_key;
    INSERT INTO shared_conversations (conversation_id)
      SELECT conversation_id FROM user_conversation_quarters GROUP BY conversation_id HAVING COUNT(DISTINCT user_key) > 1;

    -- a quarter new to its chain becomes an entry after the previous one, and the next one now follows it
    CREATE TRIGGER user_conversation_quarters_insert AFTER INSERT ON user_conversation_quarters
    BEGIN
      ${moveEntrySql('NEW', nextQuarterSql('NEW'), previousQuarterSql('NEW'), -1)}
      ${moveEntrySql('NEW', nextQuarterSql('NEW'), 'NEW.quarter', 1)}
      ${moveEntrySql('NEW', 'NEW.quarter', previousQuarterSql('NEW'), 1)}
      INSERT OR IGNORE INTO shared_conversations (conversation_id) SELECT NEW.conversation_id WHERE ${sharedSql('NEW')};
    END;

    -- a quarter leaving its chain: its entry goes, and the next one follows the previous one instead
    CREATE TRIGGER user_conversation_quarters_delete AFTER DELETE ON user_conversation_quarters
    BEGIN
      ${moveEntrySql('OLD', 'OLD.quarter', previousQuarterSql('OLD'), -1)}
      ${moveEntrySql('OLD', nextQuarterSql('OLD'), 'OLD.quarter', -1)}
      ${moveEntrySql('OLD', nextQuarterSql('OLD'), previousQuarterSql('OLD'), 1)}
      DELETE FROM shared_conversations WHERE conversation_id = OLD.conversation_id AND NOT ${sharedSql('OLD')};
    END;

    -- identify/alias relabels a folded response (one not folded yet is folded under its new key)
    CREATE TRIGGER events_user_cost_relabel AFTER UPDATE OF user_key ON events
    WHEN OLD.user_key IS NOT NEW.user_key AND NEW.event = ${RESPONSE} AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${addUserCostSql('NEW')}
      ${removeUserCostSql('OLD')}
    END;

    CREATE TRIGGER events_user_cost_delete AFTER DELETE ON events
    WHEN OLD.event = ${RESPONSE}
    BEGIN
      ${removeUserCostSql('OLD')}
    END;
  `,
};
