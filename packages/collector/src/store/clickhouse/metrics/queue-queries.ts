import type { ClickHouseTables } from '../clickhouse-tables.js';
import type { LocalQueuedPrompt } from '../local-prompt-queue.js';
import { sqlList } from '../sql-value.js';
import { eventRowsSql, PROMPT } from './event-rows-sql.js';
import { traitValuesSql } from './user-values-sql.js';

/**
 * What the sampling policy needs about the users of queued prompts: per
 * prompt (write_key, message_id) its user_key, their `plan` trait and when
 * they were first seen (their earliest event of any kind).
 */
export function usersOfPromptsSql(tables: ClickHouseTables, prompts: readonly LocalQueuedPrompt[]): string {
  const queued = eventRowsSql(tables, {
    events: [PROMPT],
    where: `message_id IN ${sqlList([...new Set(prompts.map((prompt) => prompt.messageId))])}`,
    columns: ['ts'],
    userKey: true,
  });
  const keys = `SELECT user_key FROM (${queued})`;
  // Only the events that can belong to these users: theirs by id, or of an anonymous id linked to them.
  const theirs = eventRowsSql(tables, {
    where: `user_id IN (${keys}) OR anonymous_id IN (${keys})
      OR anonymous_id IN (SELECT anonymous_id FROM ${tables.table('identities')} WHERE user_id IN (${keys}))`,
    columns: ['ts'],
    userKey: true,
  });
  const firstSeen = `SELECT user_key, min(ts) AS first_seen FROM (${theirs})
    WHERE user_key IN (${keys}) GROUP BY user_key`;
  const withPlan = `SELECT write_key, message_id, user_key, plan FROM (${queued})
    ANY LEFT JOIN (SELECT user_key, value AS plan FROM (${traitValuesSql(tables, 'plan')})) USING user_key`;
  return `SELECT write_key, message_id, user_key, plan, first_seen FROM (${withPlan})
    ANY LEFT JOIN (SELECT user_key, toNullable(first_seen) AS first_seen FROM (${firstSeen})) USING user_key`;
}
