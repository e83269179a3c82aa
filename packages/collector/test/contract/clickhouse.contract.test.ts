import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openClickHouseStore, type ClickHouseStore } from '../../src/store/clickhouse/index.js';
import { describeWithClickHouse, startClickHouse, type StartedClickHouse } from '../support/clickhouse-server.js';
import type { StoreFactory } from '../support/store-factory.js';
import { describeDataLifecyclePropertyContract } from './data-lifecycle-property-contract.js';
import { describeMetricsContract } from './metrics-contract.js';
import { describeMetricsPropertyContract } from './metrics-property-contract.js';

// The ClickHouse engine against the engine-neutral contract: one server for
// the whole file, a fresh database per test app, and the same answers, to
// the byte, that the SQLite engine gives.
describeWithClickHouse('ClickHouse engine', () => {
  let server: StartedClickHouse;
  let databases = 0;

  // Starting a server takes seconds alone, much longer while the whole suite runs beside it.
  beforeAll(async () => {
    server = await startClickHouse({ shards: 1 });
  }, 180_000);

  // Stopping waits for the server to exit and removes its data: slow on a busy machine after hundreds of test databases.
  afterAll(async () => {
    await server?.stop();
  }, 180_000);

  const createClickHouseTestStore: StoreFactory<ClickHouseStore> = (directory) => {
    databases += 1;
    return openClickHouseStore({ url: server.url, database: `contract_${databases}`, queuePath: join(directory, 'prompt-queue.db') });
  };

  describeMetricsContract('ClickHouse', createClickHouseTestStore);
  describeMetricsPropertyContract('ClickHouse', createClickHouseTestStore);
  describeDataLifecyclePropertyContract('ClickHouse', createClickHouseTestStore);
});
