import type { EventRecord } from '../event-record.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseTables } from './clickhouse-tables.js';
import { toIdentityRow } from './event-rows.js';
import { sqlList } from './sql-value.js';
import { trafficOf, USER_TRAFFIC_BITS } from './traffic.js';

/** Ids per look-up query: keeps each query far below ClickHouse's max_query_size (256 KiB). */
const LOOKUP_CHUNK = 1_000;

/** The `traffic` of each record to store, and the `user_traffic` rows of users who gained a flag. */
export interface StickyTraffic {
  trafficOf: readonly number[];
  gainedRows: Record<string, unknown>[];
}

/**
 * Bot and internal flags stick to a user, as the SQLite engine keeps them:
 * each event carries its own flags OR'ed with those its user already showed,
 * the user being resolved when the event is stored (userId, else the user
 * its anonymous id is linked to, else the anonymous id); an identify or
 * alias passes the anonymous id's flags on to the user. The records are
 * walked in order, as SQLite inserts them, so a flag or a link made earlier
 * in the same group applies to the events after it.
 *
 * What is known comes from ClickHouse (`identities`, `user_traffic`) when the
 * group is written; two collectors storing the first flagged event of a user
 * and another event of that user at the same moment may leave the second
 * unflagged (the flag then applies from the next event on).
 */
export async function resolveStickyTraffic(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  records: readonly EventRecord[],
  now: number,
): Promise<StickyTraffic> {
  const links = await knownLinks(connection, tables, records);
  const candidateKeys = new Set<string>(links.values());
  for (const record of records) {
    for (const id of [record.userId, record.anonymousId, record.previousId]) if (id !== null) candidateKeys.add(id);
  }
  const known = await knownFlags(connection, tables, [...candidateKeys]);
  const flags = new Map(known);
  const traffic = records.map((record) => {
    const userKey = resolveUserKey(record, links);
    const own = trafficOf(record) | ((flags.get(userKey) ?? 0) & USER_TRAFFIC_BITS);
    const link = toIdentityRow(record);
    if (link !== null) {
      const from = link['anonymous_id'] as string;
      const to = link['user_id'] as string;
      links.set(from, to);
      const merged = (flags.get(to) ?? 0) | (flags.get(from) ?? 0);
      if (merged !== 0) flags.set(to, merged);
    }
    const userFlags = (flags.get(userKey) ?? 0) | (own & USER_TRAFFIC_BITS);
    if (userFlags !== 0) flags.set(userKey, userFlags);
    return own;
  });
  const gainedRows = [...flags]
    .filter(([key, value]) => value !== (known.get(key) ?? 0))
    .map(([key, value]) => ({ user_key: key, traffic: value, flagged_at: now }));
  return { trafficOf: traffic, gainedRows };
}

/** The user an event counts for when it is stored (as USER_KEY_SQL computes it at query time). */
function resolveUserKey(record: EventRecord, links: ReadonlyMap<string, string>): string {
  if (record.userId !== null) return record.userId;
  if (record.anonymousId !== null) return links.get(record.anonymousId) ?? record.anonymousId;
  return record.previousId ?? '';
}

/** The latest link of each anonymous id the records carry without a user id. */
async function knownLinks(connection: ClickHouseConnection, tables: ClickHouseTables, records: readonly EventRecord[]): Promise<Map<string, string>> {
  const anonymousIds = [...new Set(records.filter((record) => record.userId === null && record.anonymousId !== null).map((record) => record.anonymousId as string))];
  const links = new Map<string, string>();
  for (let start = 0; start < anonymousIds.length; start += LOOKUP_CHUNK) {
    const rows = await connection.rows<{ anonymous_id: string; user_id: string }>(
      `SELECT anonymous_id, argMax(user_id, linked_at) AS user_id FROM ${tables.table('identities')}
        WHERE anonymous_id IN ${sqlList(anonymousIds.slice(start, start + LOOKUP_CHUNK))} GROUP BY anonymous_id`,
    );
    for (const row of rows) links.set(row.anonymous_id, row.user_id);
  }
  return links;
}

/** The flags each user key has shown so far (absent: none). */
async function knownFlags(connection: ClickHouseConnection, tables: ClickHouseTables, keys: readonly string[]): Promise<Map<string, number>> {
  const flags = new Map<string, number>();
  for (let start = 0; start < keys.length; start += LOOKUP_CHUNK) {
    const rows = await connection.rows<{ user_key: string; traffic: number }>(
      `SELECT user_key, groupBitOr(traffic) AS traffic FROM ${tables.table('user_traffic')}
        WHERE user_key IN ${sqlList(keys.slice(start, start + LOOKUP_CHUNK))} GROUP BY user_key`,
    );
    for (const row of rows) flags.set(row.user_key, row.traffic);
  }
  return flags;
}
