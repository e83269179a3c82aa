import { createTableStatements, type ClickHouseMigration, type TableSpec } from './clickhouse-migration.js';

/**
 * Bot and internal traffic stick to a user (as in the SQLite engine's
 * `users.traffic`): a row per user key and flags it gained (2 bot, 4
 * internal), written only when a user gains a flag, so the table stays as
 * small as the number of flagged users. Read with `groupBitOr(traffic)` per
 * key: rows of two collectors flagging the same user at once simply add up,
 * which `ReplacingMergeTree` (one of them kept) or `SummingMergeTree` (2 + 2
 * is 4, the internal bit) would get wrong.
 */
const userTraffic: TableSpec = {
  name: 'user_traffic',
  columns: 'user_key String, traffic UInt8, flagged_at Int64',
  engine: 'MergeTree()',
  orderBy: 'user_key',
  shardingKey: 'cityHash64(user_key)',
};

export const userTrafficMigration: ClickHouseMigration = {
  version: 2,
  name: 'bot and internal flags per user',
  statements: (tables) => createTableStatements(userTraffic, tables),
};
