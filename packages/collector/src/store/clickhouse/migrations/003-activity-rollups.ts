import type { ClickHouseTables } from '../clickhouse-tables.js';
import { CONVERSATION_THREADS, ROLLUP_SOURCES, SESSION_THREADS, THREAD_COLUMNS, type RollupSource, type ThreadRollup } from '../rollups.js';
import { sqlIdentifier } from '../sql-value.js';
import { createTableStatements, type ClickHouseMigration, type TableSpec } from './clickhouse-migration.js';


/**
 * Rollups for the metrics that read every prompt or message of a range
 * (active users, retention, sessions, conversations, the report): without them those
 * queries fold duplicates and resolve identities over the raw events and
 * take seconds at a million events. Each is filled by a materialized view
 * on the storing events table, so every insert (on every shard) feeds it,
 * and the migration backfills what was stored before. Rows keep the raw
 * user ids (identity is still applied at query time, to these small
 * tables) and the traffic bits, so every scope and later identify is
 * answered exactly; ids absent from an event are '' (a sorting key cannot
 * be Nullable on 18.16; the protocol never accepts an empty id).
 */
const promptActivity: TableSpec = {
  name: 'prompt_activity',
  columns: 'quarter Int64, traffic UInt8, user String, anonymous String, previous String',
  // Identical rows (a user's prompts in one quarter hour, copies of a retried prompt) merge into one.
  engine: 'ReplacingMergeTree()',
  partitionBy: 'toYYYYMM(toDateTime(intDiv(quarter, 1000)))',
  orderBy: '(quarter, traffic, user, anonymous, previous)',
  shardingKey: 'cityHash64(user, anonymous, previous)',
};

/** Sessions and conversations: rows merge per key, their states (min, max, message set) with them. */
function threadActivity(thread: ThreadRollup): TableSpec {
  return {
    name: thread.table,
    columns: THREAD_COLUMNS,
    engine: 'AggregatingMergeTree()',
    partitionBy: 'toYYYYMM(toDateTime(intDiv(quarter, 1000)))',
    orderBy: '(thread_id, quarter, event, traffic, user, anonymous, previous)',
    shardingKey: 'cityHash64(thread_id)',
  };
}

/**
 * The view that feeds a rollup from every insert into the storing events
 * table, then the backfill of the events stored before it existed. Rows
 * the view and the backfill both wrote are harmless: every rollup column is
 * idempotent (presence, min, max, a set of message ids).
 */
function feedStatements(source: RollupSource, tables: ClickHouseTables): string[] {
  const view = `${sqlIdentifier(tables.database)}.${sqlIdentifier(`${tables.localName(source.table)}_feed`)}`;
  const select = source.select(tables.localTable('events'));
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${view} TO ${tables.localTable(source.table)} AS ${select}`,
    `INSERT INTO ${tables.localTable(source.table)} ${select}`,
  ];
}

export const activityRollupsMigration: ClickHouseMigration = {
  version: 3,
  name: 'prompt activity, session and conversation rollups',
  statements: (tables) => [
    ...[promptActivity, threadActivity(SESSION_THREADS), threadActivity(CONVERSATION_THREADS)].flatMap((spec) => createTableStatements(spec, tables)),
    ...ROLLUP_SOURCES.flatMap((source) => feedStatements(source, tables)),
  ],
};
