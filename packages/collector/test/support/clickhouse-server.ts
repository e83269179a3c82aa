import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { CLICKHOUSE_SERVER_PATH } from '../../../../scripts/clickhouse-server.mjs';

// The server processes themselves are started by one plain-JavaScript module shared with bench/.
export {
  CLICKHOUSE_SERVER_PATH,
  startClickHouse,
  TEST_CLUSTER,
  TEST_USER,
  type StartClickHouseOptions,
  type StartedClickHouse,
} from '../../../../scripts/clickhouse-server.mjs';

/**
 * Whether the ClickHouse suites can run. In CI a missing server is a failure
 * (the suite must not silently pass); locally the suites are skipped with a
 * loud warning so a developer without ClickHouse still runs everything else.
 */
export function clickHouseAvailable(): boolean {
  if (existsSync(CLICKHOUSE_SERVER_PATH)) return true;
  const message =
    `clickhouse-server not found at ${CLICKHOUSE_SERVER_PATH}: ClickHouse tests cannot run. ` +
    'Install it with "apt-get install -y clickhouse-server" or set CHATMETER_CLICKHOUSE_SERVER.';
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`\n\n!!! ${message}\n!!! SKIPPING the ClickHouse suites.\n\n`);
  return false;
}

/** `describe` when clickhouse-server is installed, a loud skip otherwise (a failure under CI=true). */
export function describeWithClickHouse(name: string, suite: () => void): void {
  if (clickHouseAvailable()) describe(name, suite);
  else describe.skip(`${name} (SKIPPED: clickhouse-server not installed)`, suite);
}
