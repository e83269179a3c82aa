import type { Breakdown } from '../../../metrics/metrics-source.js';
import type { ClickHouseTables } from '../clickhouse-tables.js';
import { sqlValue } from '../sql-value.js';
import { eventRowsSql, identityLinksSql, USER_KEY_SQL } from './event-rows-sql.js';

/**
 * `(user_key, value)` for every user with a value: the channel of their
 * first touch (earliest event naming a channel, whichever identity it was
 * sent under), or the current value of one trait (the latest identify that
 * set it; set to null means no value). Users absent here have no value.
 */
export function userValuesSql(tables: ClickHouseTables, breakdown: Breakdown): string {
  if (breakdown.by === 'channel') {
    const touches = eventRowsSql(tables, { where: 'isNotNull(channel)', columns: ['channel', 'ts'], userKey: true });
    return `SELECT user_key, argMin(channel, (ts, received_at, message_id)) AS value FROM (${touches}) GROUP BY user_key`;
  }
  return traitValuesSql(tables, breakdown.trait);
}

/** `(user_key, value)` of one trait, value NULL when the latest identify set it to null. */
export function traitValuesSql(tables: ClickHouseTables, trait: string): string {
  const traits = `SELECT *, ${USER_KEY_SQL} AS user_key
    FROM (SELECT user_id, anonymous_id, CAST(NULL AS Nullable(String)) AS previous_id, value, has_value, received_at, ts, message_id,
                 ifNull(anonymous_id, '') AS anonymous_key
            FROM ${tables.table('user_traits')} WHERE trait = ${sqlValue(trait)})
    ANY LEFT JOIN (${identityLinksSql(tables)}) USING anonymous_key`;
  // Aliased apart from `value`: 18.16 would read the `value` inside argMax as the alias.
  return `SELECT user_key, latest_value AS value
            FROM (SELECT user_key, if(argMax(has_value, (received_at, ts, message_id)) = 1, argMax(value, (received_at, ts, message_id)), NULL) AS latest_value
                    FROM (${traits}) GROUP BY user_key)`;
}
