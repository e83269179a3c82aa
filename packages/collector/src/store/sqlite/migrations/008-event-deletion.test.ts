import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../demo/random.js';
import { comparableRows, ROLLUP_ORDERS } from '../../../../test/support/rollup-rows.js';
import { SqliteStore } from '../sqlite-store.js';
import { valueListEntries } from '../../../../test/support/value-lists.js';
import { storedEventColumns, storedEventNameFor } from '../../../../test/support/stored-event-columns.js';

/**
 * The delete triggers of migration 008 must leave every rollup exactly as a
 * store that never received the deleted events has it: whichever events go,
 * in whatever order, whatever their `debug` value (any small integer, not
 * only 0 and 1). Rows are written with plain SQL so that `debug`, `intent`
 * and `user_key` are exactly what the test says (ingest would derive them).
 */

/** 2026-03-07 23:00 UTC: data straddles quarter-hours and a UTC midnight. */
const T0 = Date.UTC(2026, 2, 7, 23, 0);
const QUARTER_MS = 900_000;
const SDK_CONTEXT = JSON.stringify({ library: { name: '@chatmeter/sdk' } });

interface Row {
  message_id: string;
  type: string;
  event: string | null;
  user_key: string;
  session_id: string | null;
  conversation_id: string | null;
  prompt_number: number | null;
  ts: number;
  debug: number;
  model: string | null;
  intent: string | null;
  intent_sampled: number | null;
  status: string | null;
  latency_ms: number | null;
  time_to_first_token_ms: number | null;
  tokens_per_second: number | null;
  cost: number | null;
  prompt_tokens: number | null;
  response_id: string | null;
  feedback_type: string | null;
  thumbs_up: number | null;
  context: string;
  channel: string | null;
  write_key: string;
}

/** Sessions of a few users with conversations, ties in time, several debug values, rated responses, channels and SDK events. */
function generateRows(seed: number): Row[] {
  const random = createRandom(seed);
  const rows: Row[] = [];
  let counter = 0;
  const row = (fields: Partial<Row> & Pick<Row, 'event' | 'ts' | 'user_key'>): Row => {
    counter += 1;
    return {
      message_id: `m-${counter}`, type: 'track', session_id: null, conversation_id: null, prompt_number: null, debug: 0, model: null,
      intent: null, intent_sampled: null, status: null, latency_ms: null, time_to_first_token_ms: null, tokens_per_second: null, cost: null,
      prompt_tokens: null, response_id: null, feedback_type: null, thumbs_up: null, context: '{}', channel: null, write_key: 'wk', ...fields,
    };
  };
  for (let c = 0; c < 10; c += 1) {
    const user = `user-${random.int(1, 4)}`;
    const session = random.chance(0.85) ? `s-${random.int(1, 5)}-${user}` : null;
    const conversation = random.chance(0.9) ? `c-${seed}-${c}` : null;
    const context = random.chance(0.4) ? SDK_CONTEXT : '{}';
    let ts = T0 + random.int(-4, 4) * QUARTER_MS + random.int(0, QUARTER_MS);
    if (random.chance(0.5)) rows.push(row({ event: 'page', type: 'page', ts: ts - 1000, user_key: user, channel: random.pick(['google', 'newsletter']), context }));
    for (let turn = 1; turn <= random.int(1, 5); turn += 1) {
      // Sometimes a later turn lands earlier in time, or exactly on an earlier event's time.
      ts += random.chance(0.15) ? -random.int(0, 2 * QUARTER_MS) : random.chance(0.1) ? 0 : random.int(1, QUARTER_MS);
      const base = {
        user_key: user, session_id: session, conversation_id: conversation, context,
        prompt_number: random.chance(0.2) ? null : turn,
        // A bitmask of traffic flags: any small integer.
        debug: random.pick([0, 0, 0, 1, 2, 3]),
      };
      const intent = random.pick(['billing', 'tech', null]);
      rows.push(row({ ...base, event: 'ai_user_prompt_created', ts, intent, intent_sampled: intent === null ? random.pick([null, 0]) : 1, channel: random.chance(0.1) ? 'ads' : null }));
      const responseIds: string[] = [];
      for (let r = random.chance(0.2) ? 2 : random.chance(0.85) ? 1 : 0; r > 0; r -= 1) {
        const responseId = `r-${seed}-${c}-${turn}-${r}`;
        responseIds.push(responseId);
        rows.push(
          row({
            ...base, event: 'ai_llm_response_received', ts: ts + random.int(0, 40_000), model: random.pick(['gpt-a', 'gpt-b', null]),
            intent: random.chance(0.7) ? intent : 'sales', status: random.pick(['success', 'error', 'timeout', null]),
            latency_ms: random.chance(0.1) ? null : random.pick([random.int(100, 9000) / 10, random.int(100, 900), 0.1 + 0.2, 250]),
            time_to_first_token_ms: random.chance(0.3) ? null : random.pick([random.int(10, 3000), 0.1 + 0.2]),
            tokens_per_second: random.chance(0.3) ? null : random.int(10, 900) / 10,
            cost: random.chance(0.1) ? null : random.int(0, 1000) / 10_000, prompt_tokens: random.int(0, 500),
            response_id: random.chance(0.8) ? responseId : null,
          }),
        );
      }
      for (let a = random.int(0, 2); a > 0; a -= 1) {
        rows.push(
          row({
            ...base, event: 'ai_user_action', ts: ts + random.int(-1000, 60_000), feedback_type: 'thumbs', thumbs_up: random.int(0, 1),
            prompt_number: random.chance(0.3) ? null : base.prompt_number, model: random.chance(0.1) ? 'own-model' : null,
            response_id: random.chance(0.5) ? random.pick([...responseIds, 'never-stored']) : null,
          }),
        );
      }
    }
  }
  return rows;
}

const COLUMNS = Object.keys(generateRows(0)[0] as Row);

function insertRows(store: SqliteStore, rows: readonly Row[]): void {
  const insert = store.db.prepare(
    `INSERT INTO events (${storedEventColumns(store.db)(COLUMNS.join(', '))}, received_at_offset) VALUES (${COLUMNS.map((column) => (column === 'event' ? storedEventNameFor(store.db)('@event') : `@${column}`)).join(', ')}, 0)`,
  );
  store.db.transaction(() => rows.forEach((row) => insert.run(row)))();
  // Deletes undo what the fold did: the rows are folded before the test deletes any (as lifecycle-statements.ts does).
  store.rollups?.catchUp();
}

/** Rollup tables and the order that makes their rows comparable. */
const ROLLUPS = ROLLUP_ORDERS;
/** Lists of values per key: multisets, whatever their order and chunks. */
const VALUE_LISTS = { response_latencies: 'latencies', response_ttfts: 'ttfts', response_token_rates: 'rates' } as const;

/** Every rollup as plain rows; event ids become message ids, since the two stores number events differently. */
function snapshot(store: SqliteStore): Record<string, unknown[]> {
  const tables: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(ROLLUPS)) {
    tables[table] = comparableRows(store.db, table, order);
  }
  for (const [table, list] of Object.entries(VALUE_LISTS)) tables[table] = valueListEntries(store.db, table, list);
  tables['user_first_touch'] = store.db
    .prepare('SELECT t.user_key, t.ts, e.message_id, t.channel FROM user_first_touch t LEFT JOIN events e ON e.id = t.event_id ORDER BY t.user_key')
    .all();
  tables['turn_model'] = store.db.prepare("SELECT message_id, turn_model FROM events WHERE event = 'ai_user_action' ORDER BY message_id").all();
  return tables;
}

const stores: SqliteStore[] = [];
function openStore(): SqliteStore {
  const store = new SqliteStore({ path: ':memory:' });
  stores.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});


describe('migration 008: rollups follow deleted events', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`leaves every rollup as a store that never had the deleted events has it (seed ${seed})`, () => {
      const random = createRandom(seed * 104_729);
      const rows = random.shuffle(generateRows(seed));
      const deleted = new Set(rows.filter(() => random.chance(0.4)).map((row) => row.message_id));
      const kept = rows.filter((row) => !deleted.has(row.message_id));

      const full = openStore();
      insertRows(full, rows);
      const deleteEvent = full.db.prepare('DELETE FROM events WHERE message_id = ?');
      const order = random.shuffle([...deleted]);
      // One statement deleting many rows, and single-row ones, in random order.
      const bulk = order.splice(0, Math.floor(order.length / 2));
      full.db.prepare('DELETE FROM events WHERE message_id IN (SELECT value FROM json_each(?))').run(JSON.stringify(bulk));
      for (const messageId of order) deleteEvent.run(messageId);

      const never = openStore();
      insertRows(never, kept);
      const expected = snapshot(never);
      expect(expected['intent_flow_rollup']?.length).toBeGreaterThan(0);
      expect(expected['conversation_entries']?.length).toBeGreaterThan(0);
      expect(expected['user_first_touch']?.length).toBeGreaterThan(0);
      expect(snapshot(full)).toEqual(expected);
    });
  }

  it("gives a session and a conversation shared by two users to the one whose messages remain, with their span", () => {
    const store = openStore();
    const shared = { session_id: 's-shared', conversation_id: 'c-shared', context: '{}' };
    const [first, second] = generateRows(1);
    const prompt = { ...(first as Row), ...shared, event: 'ai_user_prompt_created', feedback_type: null, response_id: null, debug: 2 };
    insertRows(store, [
      { ...prompt, message_id: 'a-1', user_key: 'ada', ts: T0 },
      { ...prompt, message_id: 'b-1', user_key: 'bob', ts: T0 + 60_000 },
      { ...(second as Row), ...shared, message_id: 'a-2', event: 'ai_llm_response_received', user_key: 'ada', ts: T0 + 120_000, debug: 2 },
      { ...prompt, message_id: 'b-2', user_key: 'bob', ts: T0 + 180_000 },
    ]);
    expect(store.db.prepare('SELECT user_key, first_ts, last_ts, user_messages, bot_messages FROM session_rollup').all()).toEqual([
      { user_key: 'bob', first_ts: T0, last_ts: T0 + 180_000, user_messages: 3, bot_messages: 1 },
    ]);

    store.db.prepare("DELETE FROM events WHERE user_key = 'bob'").run();

    expect(store.db.prepare('SELECT session_id, debug, user_key, first_ts, last_ts, user_messages, bot_messages FROM session_rollup').all()).toEqual([
      { session_id: 's-shared', debug: 2, user_key: 'ada', first_ts: T0, last_ts: T0 + 120_000, user_messages: 1, bot_messages: 1 },
    ]);
    expect(store.db.prepare('SELECT conversation_id, debug, user_key, first_ts, prompts FROM conversation_rollup').all()).toEqual([
      { conversation_id: 'c-shared', debug: 2, user_key: 'ada', first_ts: T0, prompts: 1 },
    ]);
  });

  it('empties every rollup when every event goes, whatever the debug values', () => {
    const store = openStore();
    const rows = generateRows(9);
    expect(new Set(rows.map((row) => row.debug))).toEqual(new Set([0, 1, 2, 3]));
    insertRows(store, rows);
    store.db.prepare('DELETE FROM events').run();
    const left = Object.entries(snapshot(store)).filter(([, tableRows]) => tableRows.length > 0);
    expect(left).toEqual([]);
  });
});
