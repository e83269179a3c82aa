import { sqlIdentifier } from './sql-value.js';

/** The tables the store reads and writes, by what they hold. */
export const TABLE_NAMES = [
  'events',
  'identities',
  'user_traits',
  'prompt_intents',
  'classification_usage',
  'settings',
  'user_traffic',
  'prompt_activity',
  'session_activity',
  'conversation_activity',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/**
 * Where each table lives: without a cluster, `db.name` holds the rows; with
 * one, `db.name_local` holds each server's share and `db.name` is the
 * `Distributed` table over all of them, which every query and insert uses.
 */
export interface ClickHouseTables {
  database: string;
  cluster: string | undefined;
  /** The name queries and inserts use, database-qualified and quoted. */
  table(name: TableName): string;
  /** The table that stores rows on this server (the same as `table` without a cluster). */
  localTable(name: TableName): string;
  /** Unqualified name of the storing table (for `Distributed(…, table)`). */
  localName(name: TableName): string;
}

export function clickHouseTables(database: string, cluster: string | undefined): ClickHouseTables {
  const localName = (name: TableName): string => (cluster === undefined ? name : `${name}_local`);
  return {
    database,
    cluster,
    table: (name) => `${sqlIdentifier(database)}.${sqlIdentifier(name)}`,
    localTable: (name) => `${sqlIdentifier(database)}.${sqlIdentifier(localName(name))}`,
    localName,
  };
}
