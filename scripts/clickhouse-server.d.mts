/** Debian's `clickhouse-server` (18.16), or `CHATMETER_CLICKHOUSE_SERVER`. */
export const CLICKHOUSE_SERVER_PATH: string;

/** The cluster name written into every server's `remote_servers` when more than one shard is started. */
export const TEST_CLUSTER: 'chatmeter_test_cluster';

/** A user with a password beside the password-less `default`. */
export const TEST_USER: { readonly username: 'chatmeter'; readonly password: 'chatmeter-test-password' };

export interface StartedClickHouse {
  /** HTTP URL of the first server, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** HTTP URL of every server, one per shard, in shard order. */
  urls: string[];
  /** Native-protocol (TCP) port of every server, in shard order. */
  tcpPorts: number[];
  /** The temporary directory holding every server's config, data and logs; removed by `stop()`. */
  directory: string;
  /** The cluster of all shards (set when `shards > 1`). */
  cluster?: string;
  /** Runs one SQL statement on a server over HTTP (the first unless `serverIndex` is given) and returns the body. */
  query(sql: string, serverIndex?: number): Promise<string>;
  /** Stops one server (a shard failing) and leaves the others running; `stop()` still cleans up. */
  stopServer(serverIndex: number): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s) every server, then remove the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartClickHouseOptions {
  /** 1 (default) or 2: with 2, each server's `remote_servers` holds `TEST_CLUSTER` over both. */
  shards?: 1 | 2;
}

/**
 * Starts private clickhouse-server processes (one per shard) in a fresh
 * temporary directory, each with its own config.xml and users.xml, on free
 * loopback ports, and resolves when every one answers `/ping`.
 */
export function startClickHouse(options?: StartClickHouseOptions): Promise<StartedClickHouse>;
