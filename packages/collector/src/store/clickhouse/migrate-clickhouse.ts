import { ChatmeterError } from '../../chatmeter-error.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseTables } from './clickhouse-tables.js';
import { clickHouseMigrations, type ClickHouseMigration } from './migrations/index.js';
import { sqlIdentifier, sqlValue } from './sql-value.js';

/** Thrown when the server's schema was written by a newer collector than this one. */
export class ClickHouseSchemaVersionError extends ChatmeterError {
  override name = 'ClickHouseSchemaVersionError';
}

/**
 * Brings the schema of the server behind `connection` up to date and returns
 * the migrations it applied (`"1 events, …"`). Versions are recorded in the
 * server's own `chatmeter_schema` table (never distributed: with a cluster,
 * each server is migrated by the collectors pointed at it). Every statement
 * is idempotent, so two collectors migrating at once, or a migration cut
 * short, end in the same schema.
 */
export async function applyClickHouseMigrations(
  connection: ClickHouseConnection,
  tables: ClickHouseTables,
  migrations: readonly ClickHouseMigration[] = clickHouseMigrations,
): Promise<string[]> {
  const versions = `${sqlIdentifier(tables.database)}.${sqlIdentifier('chatmeter_schema')}`;
  await connection.command(`CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(tables.database)}`);
  await connection.command(
    `CREATE TABLE IF NOT EXISTS ${versions} (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version`,
  );
  const rows = await connection.rows<{ version: number }>(`SELECT max(version) AS version FROM ${versions}`);
  const current = rows[0]?.version ?? 0;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new ClickHouseSchemaVersionError(
      `ClickHouse database ${tables.database} has schema version ${current}, newer than this collector supports (${latest}); upgrade @chatmeter/collector`,
    );
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements(tables)) await connection.command(statement);
    await connection.command(
      `INSERT INTO ${versions} (version, name, applied_at) VALUES (${sqlValue(migration.version)}, ${sqlValue(migration.name)}, now())`,
    );
    applied.push(`${migration.version} ${migration.name}`);
  }
  return applied;
}
