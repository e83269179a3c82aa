import { DAY_MS, formatLocalDay } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ClassificationTotals, KeyedCount } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import type { LocalPromptQueue } from '../local-prompt-queue.js';
import { sqlList, sqlValue } from '../sql-value.js';
import { eventRowsSql, PROMPT } from './event-rows-sql.js';
import { conversationSql, filtersSql, rangeSql } from './scope-sql.js';

/** The range's prompts with their effective intent and sampling outcome, the scope's filters applied. */
export function promptsSql(tables: ClickHouseTables, scope: MetricScope, options: { intents?: boolean } = {}): string {
  const rows = eventRowsSql(tables, {
    events: [PROMPT],
    where: `${rangeSql(scope)} AND ${conversationSql(scope.filters)}`,
    columns: ['ts', 'model', 'conversation_id'],
    intents: options.intents !== false || scope.filters.intent !== undefined,
  });
  return `SELECT * FROM (${rows}) WHERE ${filtersSql(scope.filters)}`;
}

/** Prompts in the range per intent (the classifier's when it ran, else the prompt's own). */
export async function intentCounts(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<KeyedCount[]> {
  return connection.rows<KeyedCount>(`SELECT eff_intent AS key, count() AS count FROM (${promptsSql(tables, scope)}) GROUP BY key`);
}

/**
 * `sampled` is 1 for prompts classified (or sent classified), 0 for prompts
 * the sampling policy skipped, NULL while still queued or without text.
 * Pending prompts are this collector's own backlog (each collector keeps
 * its own queue). Classifier usage is kept per UTC day, so it covers the UTC
 * days the range touches.
 */
export async function classification(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  queue: LocalPromptQueue,
  scope: MetricScope,
): Promise<ClassificationTotals> {
  const unfiltered = { ...scope, filters: {} };
  const fromDate = formatLocalDay(Math.floor(scope.startMs / DAY_MS));
  const toDate = formatLocalDay(Math.floor((scope.endMs - 1) / DAY_MS));
  const [[prompts], [usage], pending] = await Promise.all([
    // Aliases differ from the column names: 18.16 would read `sampled` in countIf as the alias.
    connection.rows<{ promptCount: number; sampledCount: number; notSampledCount: number }>(
      `SELECT count() AS promptCount, countIf(ifNull(sampled, 2) = 1) AS sampledCount, countIf(ifNull(sampled, 2) = 0) AS notSampledCount
         FROM (${promptsSql(tables, unfiltered)})`,
    ),
    connection.rows<Pick<ClassificationTotals, 'classifierCost' | 'classifierTokens'>>(
      `SELECT sum(cost) AS classifierCost, sum(prompt_tokens + completion_tokens) AS classifierTokens
         FROM ${tables.table('classification_usage')} WHERE day >= ${sqlValue(fromDate)} AND day <= ${sqlValue(toDate)}`,
    ),
    pendingInRange(connection, tables, queue, scope),
  ]);
  return {
    prompts: prompts?.promptCount ?? 0,
    sampled: prompts?.sampledCount ?? 0,
    notSampled: prompts?.notSampledCount ?? 0,
    pending,
    classifierCost: usage?.classifierCost ?? 0,
    classifierTokens: usage?.classifierTokens ?? 0,
  };
}

/** This collector's queued prompts whose events fall in the range. */
async function pendingInRange(connection: ClickHouseConnection, tables: ClickHouseTables, queue: LocalPromptQueue, scope: MetricScope): Promise<number> {
  const queued = queue.next(Number.MAX_SAFE_INTEGER);
  if (queued.length === 0) return 0;
  const wanted = new Set(queued.map((prompt) => `${prompt.writeKey}\n${prompt.messageId}`));
  const rows = await connection.rows<{ write_key: string; message_id: string }>(
    `SELECT DISTINCT write_key, message_id FROM ${tables.table('events')}
      WHERE event = '${PROMPT}' AND message_id IN ${sqlList([...new Set(queued.map((prompt) => prompt.messageId))])} AND ${rangeSql(scope)}`,
  );
  return rows.filter((row) => wanted.has(`${row.write_key}\n${row.message_id}`)).length;
}

/** Classifier spend of one UTC day, all classifiers (the built-in one records 0). */
export async function classifierSpendOn(connection: ClickHouseConnection, tables: ClickHouseTables, day: string): Promise<number> {
  const [row] = await connection.rows<{ cost: number }>(`SELECT sum(cost) AS cost FROM ${tables.table('classification_usage')} WHERE day = ${sqlValue(day)}`);
  return row?.cost ?? 0;
}
