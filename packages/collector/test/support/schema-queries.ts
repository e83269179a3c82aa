import type Database from 'better-sqlite3';

/** Every schema object by kind and name, as `sqlite_master` lists them (SQLite's own indexes left out). */
export const SCHEMA_OBJECTS = "SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY 1";

/** The steps of `sql`'s query plan (`EXPLAIN QUERY PLAN`), joined by ' | '. */
export function queryPlan(db: Database.Database, sql: string, params: Record<string, unknown> = {}): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((step) => step.detail).join(' | ');
}
