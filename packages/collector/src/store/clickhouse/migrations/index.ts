import { initialSchemaMigration } from './001-initial-schema.js';
import { userTrafficMigration } from './002-user-traffic.js';
import { activityRollupsMigration } from './003-activity-rollups.js';
import type { ClickHouseMigration } from './clickhouse-migration.js';

export type { ClickHouseMigration } from './clickhouse-migration.js';

/** Every migration in order. Append new ones; never edit a released one. */
export const clickHouseMigrations: readonly ClickHouseMigration[] = [initialSchemaMigration, userTrafficMigration, activityRollupsMigration];
