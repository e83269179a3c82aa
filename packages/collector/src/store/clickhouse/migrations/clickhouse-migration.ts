import type { ClickHouseTables, TableName } from '../clickhouse-tables.js';
import { sqlIdentifier } from '../sql-value.js';

/**
 * One forward-only schema change; `version` values are consecutive from 1.
 * Every statement must be idempotent (`IF NOT EXISTS`): a migration cut
 * short (a collector killed mid-way, a second collector migrating the same
 * server at the same moment) is simply run again.
 */
export interface ClickHouseMigration {
  version: number;
  name: string;
  statements(tables: ClickHouseTables): string[];
}

/** A table as the schema declares it, engine-neutral of the cluster question. */
export interface TableSpec {
  name: TableName;
  columns: string;
  /** MergeTree-family engine of the storing table, e.g. `ReplacingMergeTree(linked_at)`. */
  engine: string;
  partitionBy?: string;
  orderBy: string;
  /** How the Distributed table spreads rows over shards (rows with the same key meet on one shard). */
  shardingKey: string;
}

/**
 * The storing table and, with a cluster, the Distributed table over it.
 * Created on the server the collector is connected to, never `ON CLUSTER`
 * (that needs ZooKeeper): each server is migrated by the collectors pointed at it.
 */
export function createTableStatements(spec: TableSpec, tables: ClickHouseTables): string[] {
  const storing = `CREATE TABLE IF NOT EXISTS ${tables.localTable(spec.name)} (${spec.columns})
    ENGINE = ${spec.engine}${spec.partitionBy === undefined ? '' : ` PARTITION BY ${spec.partitionBy}`} ORDER BY ${spec.orderBy}`;
  if (tables.cluster === undefined) return [storing];
  const distributed = `CREATE TABLE IF NOT EXISTS ${tables.table(spec.name)} AS ${tables.localTable(spec.name)}
    ENGINE = Distributed(${sqlIdentifier(tables.cluster)}, ${sqlIdentifier(tables.database)}, ${sqlIdentifier(tables.localName(spec.name))}, ${spec.shardingKey})`;
  return [storing, distributed];
}
