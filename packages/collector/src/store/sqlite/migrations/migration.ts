/** One forward-only schema change; `version` values are consecutive from 1. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
