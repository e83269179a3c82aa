// The ClickHouse side of the benchmarks: a private clickhouse-server (the
// same starter as the tests, scripts/clickhouse-server.mjs), the collector
// options that point at it, a data set written through the collector's own
// ClickHouseStore.insertEvents, and what the server says about its size.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openClickHouseStore } from '../packages/collector/dist/store/clickhouse/index.js';
import { CLICKHOUSE_SERVER_PATH, startClickHouse } from '../scripts/clickhouse-server.mjs';
import { formatInt } from './stats.mjs';
import { createSyntheticEvents } from './synthetic-events.mjs';

export const BENCH_DATABASE = 'chatmeter';
/** Records per insertEvents call: one INSERT each, as a large ingest group would be. */
const CHUNK = 50_000;

export function clickHouseInstalled() {
  return existsSync(CLICKHOUSE_SERVER_PATH);
}

/** Starts one private server; `stop()` removes it and its data. */
export async function startBenchClickHouse() {
  const server = await startClickHouse();
  return {
    server,
    url: server.url,
    /** `start` options for a collector on this server (its local LLM queue file in `directory`). */
    storeArgs: (directory) => ['--store', 'clickhouse', '--clickhouse-url', server.url, '--clickhouse-database', BENCH_DATABASE, '--queue-file', join(directory, 'queue.db')],
    stop: () => server.stop(),
  };
}

/** Distinct stored events (duplicates folded as every metric folds them), bytes on disk of the database's tables, prompts with an intent. */
export async function clickHouseFootprint(server) {
  const events = Number(
    (await server.query(`SELECT count() FROM (SELECT write_key, message_id FROM ${BENCH_DATABASE}.events GROUP BY write_key, message_id)`)).trim(),
  );
  const bytes = Number((await server.query(`SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = '${BENCH_DATABASE}'`)).trim());
  // Prompts classified at ingest carry their intent; the background classifier's intents are rows of their own.
  const classifiedPrompts = Number(
    (await server.query(
      `SELECT (SELECT count() FROM (SELECT write_key, message_id FROM ${BENCH_DATABASE}.events WHERE event = 'ai_user_prompt_created' AND intent IS NOT NULL GROUP BY write_key, message_id))` +
        ` + (SELECT count() FROM (SELECT write_key, message_id FROM ${BENCH_DATABASE}.prompt_intents GROUP BY write_key, message_id))`,
    )).trim(),
  );
  return { events, bytes, classifiedPrompts };
}

/**
 * Writes the metrics data set (bench/synthetic-events.mjs, the same
 * generator and seed as the SQLite build) through ClickHouseStore.insertEvents.
 */
export async function buildClickHouseDatabase({ url, events, users, days, ids = 'bench', writeKey, endMs = Date.now() }) {
  const generator = createSyntheticEvents({ events, users, days, endMs, writeKey, ids });
  const store = await openClickHouseStore({ url, database: BENCH_DATABASE });
  console.log(`building ClickHouse ${url} database ${BENCH_DATABASE}: ${formatInt(events)} events, ${formatInt(users)} users, ${days} days`);
  const started = performance.now();
  let inserted = 0;
  let lastReport = started;
  try {
    for (let day = 0; day < days; day += 1) {
      const records = generator.generateDay(day);
      for (let offset = 0; offset < records.length; offset += CHUNK) {
        inserted += (await store.insertEvents(records.slice(offset, offset + CHUNK))).inserted;
      }
      const now = performance.now();
      if (now - lastReport > 5_000 || day === days - 1) {
        lastReport = now;
        const seconds = (now - started) / 1000;
        console.log(`  generating: day ${day + 1}/${days}, ${formatInt(inserted)} events, ${formatInt(inserted / seconds)} events/s, ${seconds.toFixed(0)} s elapsed`);
      }
    }
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`built: ${formatInt(inserted)} events in ${seconds.toFixed(1)} s = ${formatInt(inserted / seconds)} events/s`);
  return { meta: { events, users, days, endMs, writeKey, inserted }, seconds };
}

/** A typical recent session for `sessions/:id`: one with prompts on the data set's last day. */
export async function pickClickHouseSession(server, endMs) {
  const sql =
    `SELECT session_id FROM ${BENCH_DATABASE}.events WHERE event = 'ai_user_prompt_created' AND session_id IS NOT NULL ` +
    `AND ts >= ${Math.floor(endMs - 86_400_000)} GROUP BY session_id HAVING count() BETWEEN 3 AND 8 ORDER BY min(ts) LIMIT 1`;
  const found = (await server.query(sql)).trim();
  return found === '' ? 'no-session' : found;
}

