import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { IntentFlow, KeyedCount } from '../../../metrics/metrics-source.js';
import type { ClickHouseConnection } from '../clickhouse-connection.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { promptsSql } from './intent-queries.js';

/**
 * The intents of each conversation's prompts in the range, in time order
 * (ties by arrival): one row per conversation, the intents as an array with
 * a flag per prompt telling a real intent from none.
 */
export async function conversationIntents(connection: ClickHouseConnection, tables: ClickHouseTables, scope: MetricScope): Promise<ConversationIntents> {
  const rows = await connection.rows<{ intents: [string, number][] }>(
    `SELECT arrayMap(p -> (p.4, p.5), arraySort(p -> (p.1, p.2, p.3), groupArray((ts, received_at, message_id, ifNull(eff_intent, ''), toUInt8(isNotNull(eff_intent)))))) AS intents
       FROM (${promptsSql(tables, scope)}) WHERE isNotNull(conversation_id)
      GROUP BY conversation_id`,
  );
  return rows.map((row) => row.intents.map(([intent, known]) => (known === 1 ? intent : null)));
}

/** Per conversation, the intents of its prompts in the range in time order (null: none). */
export type ConversationIntents = (string | null)[][];

/** Pairs of consecutive prompts (by time) in the same conversation, both inside the range. */
export function intentFlows(conversations: ConversationIntents): IntentFlow[] {
  const counts = new Map<string, IntentFlow>();
  for (const intents of conversations) {
    for (let index = 1; index < intents.length; index += 1) {
      const from = intents[index - 1] ?? null;
      const to = intents[index] ?? null;
      const key = JSON.stringify([from, to]);
      const flow = counts.get(key) ?? { from, to, count: 0 };
      flow.count += 1;
      counts.set(key, flow);
    }
  }
  return [...counts.values()];
}

/** The last prompt of each conversation among its prompts in the range, counted per intent. */
export function intentFlowEnds(conversations: ConversationIntents): KeyedCount[] {
  const counts = new Map<string | null, number>();
  for (const intents of conversations) {
    const last = intents.at(-1) ?? null;
    counts.set(last, (counts.get(last) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => ({ key, count }));
}
