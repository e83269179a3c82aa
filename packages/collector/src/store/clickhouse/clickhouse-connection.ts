import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { toStoreError } from './clickhouse-errors.js';

/** How to reach ClickHouse (the `--clickhouse-*` options). */
export interface ClickHouseConnectionOptions {
  /** HTTP interface, e.g. `http://127.0.0.1:8123`. */
  url: string;
  username?: string;
  password?: string;
}

/**
 * Settings every request carries. `wait_end_of_query`: the server answers
 * only once the query (an INSERT above all) has finished, so a 200 to the
 * SDK always follows an insert ClickHouse has completed. Synchronous inserts
 * into Distributed tables: the insert returns once every shard has its rows.
 * 64-bit integers as JSON numbers: times are epoch ms, far below 2^53.
 * `distributed_product_mode = 'global'`: a subquery over a Distributed table
 * inside another runs once, on the server the collector asked.
 */
const SESSION_SETTINGS = {
  wait_end_of_query: 1,
  insert_distributed_sync: 1,
  output_format_json_quote_64bit_integers: 0,
  distributed_product_mode: 'global',
} as const;

/** A query result as rows of JSON. */
export type Rows<T> = T[];

/** The one client of a store, with the two calls the store makes. */
export interface ClickHouseConnection {
  readonly client: ClickHouseClient;
  /** Runs a SELECT and returns its rows. */
  rows<T>(query: string): Promise<Rows<T>>;
  /** Runs a statement without result (DDL, INSERT … SELECT). */
  command(query: string): Promise<void>;
  /** Inserts rows as JSONEachRow; resolves when ClickHouse has written them. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

export function openClickHouseConnection(options: ClickHouseConnectionOptions): ClickHouseConnection {
  const client = createClient({
    url: options.url,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    clickhouse_settings: SESSION_SETTINGS as never,
    // Metric queries over millions of events may take a while; inserts are small.
    request_timeout: 120_000,
    // Failures reach the caller as typed errors (and the collector's own log); the client's logger would print each twice.
    log: { level: ClickHouseLogLevel.OFF },
  });
  return {
    client,
    async rows<T>(query: string): Promise<T[]> {
      try {
        const result = await client.query({ query, format: 'JSONEachRow' });
        return (await result.json()) as T[];
      } catch (error) {
        throw toStoreError(error, query);
      }
    },
    async command(query: string): Promise<void> {
      try {
        await client.command({ query });
      } catch (error) {
        throw toStoreError(error, query);
      }
    },
    async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
      if (rows.length === 0) return;
      try {
        await client.insert({ table, values: rows as Record<string, unknown>[], format: 'JSONEachRow' });
      } catch (error) {
        throw toStoreError(error, `INSERT INTO ${table}`);
      }
    },
    close: () => client.close(),
  };
}
