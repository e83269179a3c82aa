import type Database from 'better-sqlite3';

/**
 * A rollup table's rows in a stable order, REAL sums rounded to 6 decimals so
 * that summation order does not matter: what tests compare between a
 * trigger-maintained store and a rebuilt or never-touched one.
 */
export function comparableRows(db: Database.Database, table: string, order: string): unknown[] {
  return db
    .prepare(`SELECT * FROM ${table} ORDER BY ${order}`)
    .all()
    // `+ 0`: a sum that went up and down again may be a tiny negative, which rounds to -0 (unequal to 0 for toEqual).
    .map((row) => Object.fromEntries(Object.entries(row as object).map(([name, value]) => [name, typeof value === 'number' ? Math.round(value * 1e6) / 1e6 + 0 : value])));
}

/** Every SQLite rollup table with the order that makes its rows comparable (migrations 003–005, 011, 012 and 015). */
export const ROLLUP_ORDERS: Readonly<Record<string, string>> = {
  user_activity: 'quarter, user_key, debug',
  user_first_activity: 'user_key',
  session_rollup: 'session_id, debug',
  conversation_rollup: 'conversation_id, debug',
  response_rollup: 'quarter, debug, model, intent',
  prompt_rollup: 'quarter, debug, intent',
  intent_flow_rollup: 'with_debug, to_quarter, from_quarter, from_intent, to_intent',
  conversation_response_quarters: 'conversation_id, debug, model, quarter',
  conversation_entries: 'quarter, debug, previous_quarter',
  conversation_model_entries: 'quarter, debug, model, previous_quarter',
  sdk_event_rollup: 'quarter',
  user_cost_rollup: 'quarter, debug, user_key',
  user_conversation_quarters: 'user_key, conversation_id, debug, quarter',
  user_conversation_entries: 'quarter, debug, user_key, previous_quarter',
  shared_conversations: 'conversation_id',
  intent_flow_days: 'with_debug, to_day, from_day, from_intent, to_intent',
  conversation_prompt_rollup: 'quarter, debug, intent',
  satisfaction_rollup: 'quarter, debug, intent, model',
  satisfaction_days: 'day, debug, intent, model',
};

/** The comparable order of each of `tables`. */
export function rollupOrders(tables: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    tables.map((table) => {
      const order = ROLLUP_ORDERS[table];
      if (order === undefined) throw new Error(`no comparable order for rollup table ${table}: add it to ROLLUP_ORDERS`);
      return [table, order];
    }),
  );
}
