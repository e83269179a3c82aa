import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { migrateClickHouse, openClickHouseStore, type ClickHouseStore } from '../../src/store/clickhouse/index.js';
import { describeWithClickHouse, startClickHouse, type StartedClickHouse } from '../support/clickhouse-server.js';
import type { StoreFactory } from '../support/store-factory.js';
import { describeMetricsContract } from './metrics-contract.js';

// The hand-computed fixture on two shards: every table local on each server
// plus Distributed over both, the collector connected to the second server.
// The same answers prove that every metric query reads all shards and folds
// what it must across them.
describeWithClickHouse('ClickHouse engine on two shards', () => {
  let cluster: StartedClickHouse;
  let databases = 0;

  // Starting servers takes seconds alone, much longer while the whole suite runs beside it.
  beforeAll(async () => {
    cluster = await startClickHouse({ shards: 2 });
  }, 180_000);

  // Stopping waits for the server to exit and removes its data: slow on a busy machine after hundreds of test databases.
  afterAll(async () => {
    await cluster?.stop();
  }, 180_000);

  const createShardedTestStore: StoreFactory<ClickHouseStore> = async (directory) => {
    databases += 1;
    const options = { database: `sharded_contract_${databases}`, cluster: cluster.cluster!, queuePath: join(directory, 'prompt-queue.db') };
    // Each server is migrated by the collectors pointed at it: the first server's collector migrates it here.
    await migrateClickHouse({ ...options, url: cluster.urls[0]! });
    return openClickHouseStore({ ...options, url: cluster.urls[1]! });
  };

  describeMetricsContract('ClickHouse, two shards', createShardedTestStore);
});
