// Builds (or reuses) the metrics benchmark database: synthetic EventRecords
// written through the collector's own SqliteStore.insertEvents (identity
// resolution, identify/alias relabelling, users and traits, every index
// exactly as on ingest).
//
// Bulk-load mode (the default; BENCH_FAST_LOAD=0 turns it off): the rollup
// triggers on `events` cost most of insertEvents' time, so they are dropped
// for the load and the rollups rebuilt afterwards with the migrations' own
// backfill statements; the triggers' SQL is taken from the database itself
// (sqlite_master) and restored as defined. The resulting tables are identical
// to a trigger-by-trigger load (bench/README.md: "Bulk-load mode").
// Deferring the secondary indexes too was tried and measured slower at 10M
// events: the saving on inserts was smaller than the cost of building nine
// indexes afterwards and of backfilling the rollups without them.
import { existsSync, rmSync, statSync } from 'node:fs';
import { SqliteStore } from '../packages/collector/dist/store/sqlite/index.js';
import { migrations } from '../packages/collector/dist/store/sqlite/migrations/index.js';
import { formatBytes, formatInt } from './stats.mjs';
import { createSyntheticEvents } from './synthetic-events.mjs';

/** Where the benchmark remembers what a database holds (the collector's settings table). */
const META_SETTING = 'bench_dataset';
/** Records per insertEvents call (one transaction each). */
const CHUNK = 50_000;

/**
 * Returns { path, meta, reused, seconds, … } where meta = { events, users, days, endMs, writeKey, inserted }.
 * With `reuse`, an existing file at `path` holding a finished data set of the same size is used as is.
 */
export async function buildDatabase({ path, events, users, days, writeKey, reuse, fastLoad = true, endMs: fixedEndMs, quiet = false }) {
  const log = quiet ? () => {} : (line) => console.log(line);
  if (reuse && existsSync(path)) {
    const store = new SqliteStore({ path });
    const stored = await store.getSetting(META_SETTING);
    await store.close();
    const meta = stored === null ? null : JSON.parse(stored);
    if (meta !== null && meta.events === events && meta.users === users && meta.days === days) {
      log(
        `reusing ${path}: ${formatInt(meta.inserted)} events, ${formatInt(meta.users)} users, ${meta.days} days ending ` +
          `${new Date(meta.endMs).toISOString()} (${formatBytes(fileSize(path))}); delete it to rebuild`,
      );
      return { path, meta, reused: true, seconds: 0 };
    }
    log(`${path} holds ${meta === null ? 'no finished bench data set' : `a different data set (${JSON.stringify(meta)})`}; rebuilding it`);
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });

  const endMs = fixedEndMs ?? Date.now();
  const generator = createSyntheticEvents({ events, users, days, endMs, writeKey });
  const store = new SqliteStore({ path });
  // Bulk-load settings for this connection only; the collector started later
  // opens the file with its own (production) pragmas.
  store.db.pragma('synchronous = OFF');
  store.db.pragma('cache_size = -1048576'); // 1 GiB
  store.db.pragma('secure_delete = OFF');
  store.db.pragma('wal_autocheckpoint = 100000');
  store.db.pragma('threads = 2'); // parallel sorts for the rollup backfills
  const triggers = fastLoad ? dropEventTriggers(store.db) : [];
  log(
    `building ${path}: ${formatInt(events)} events, ${formatInt(users)} users, ${days} days` +
      (fastLoad ? ` (bulk load: ${triggers.map((trigger) => trigger.name).join(', ')} off until the end)` : ' (triggers live)'),
  );

  const started = performance.now();
  let generateMs = 0;
  let insertMs = 0;
  let inserted = 0;
  let lastReport = started;
  for (let day = 0; day < days; day += 1) {
    let mark = performance.now();
    const records = generator.generateDay(day);
    generateMs += performance.now() - mark;
    for (let offset = 0; offset < records.length; offset += CHUNK) {
      mark = performance.now();
      const outcome = await store.insertEvents(records.slice(offset, offset + CHUNK));
      insertMs += performance.now() - mark;
      inserted += outcome.inserted;
    }
    const now = performance.now();
    if (now - lastReport > 5_000 || day === days - 1) {
      lastReport = now;
      const seconds = (now - started) / 1000;
      const eta = inserted > 0 ? ((events - inserted) * seconds) / inserted : 0;
      log(
        `  generating: day ${day + 1}/${days}, ${formatInt(inserted)}/${formatInt(events)} events ` +
          `(${((100 * inserted) / events).toFixed(1)}%), ${formatInt(inserted / seconds)} events/s, ` +
          `${seconds.toFixed(0)} s elapsed, ~${eta.toFixed(0)} s left to load`,
      );
    }
  }

  let mark = performance.now();
  if (triggers.length > 0) {
    log(`  rebuilding the rollups with the migrations' backfill statements…`);
    rebuildRollups(store.db, log);
    for (const { sql } of triggers) store.db.exec(sql);
  }
  const rollupMs = performance.now() - mark;

  const meta = { events, users, days, endMs, writeKey, inserted };
  await store.setSetting(META_SETTING, JSON.stringify(meta));
  mark = performance.now();
  await store.close(); // checkpoints the WAL into the main file
  const closeMs = performance.now() - mark;
  const seconds = (performance.now() - started) / 1000;
  log(
    `built ${path}: ${formatInt(inserted)} events in ${seconds.toFixed(1)} s = ${formatInt(inserted / seconds)} events/s ` +
      `(generate ${(generateMs / 1000).toFixed(1)} s, insertEvents ${(insertMs / 1000).toFixed(1)} s = ${formatInt(inserted / (insertMs / 1000))} events/s, ` +
      `rollups ${(rollupMs / 1000).toFixed(1)} s, checkpoint ${(closeMs / 1000).toFixed(1)} s), ` +
      formatBytes(fileSize(path)),
  );
  return { path, meta, reused: false, seconds, generateMs, insertMs, rollupMs, closeMs };
}

/** Drops the triggers on `events`, returning their definitions (in creation order) to restore. */
export function dropEventTriggers(db) {
  const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events' ORDER BY rowid").all();
  for (const trigger of triggers) db.exec(`DROP TRIGGER ${trigger.name}`);
  return triggers;
}

/**
 * The backfill statements of every migration, in order: its top-level data
 * statements (`INSERT INTO … SELECT …`, `UPDATE …`) outside CREATE TRIGGER
 * bodies — what the migration ran to fill its rollups from existing events.
 */
export function backfillStatements() {
  const statements = [];
  for (const migration of migrations) {
    const withoutTriggers = migration.sql.replace(/CREATE TRIGGER[\s\S]*?\bEND;/g, '').replace(/--[^\n]*/g, '');
    for (const statement of withoutTriggers.split(';')) {
      const text = statement.trim();
      if (/^INSERT INTO\s+\w+[\s\S]*\bSELECT\b/i.test(text) || /^UPDATE\s+\w+\s+SET\b/i.test(text)) statements.push(text);
    }
  }
  return statements;
}

/**
 * Migration 004's turn-model backfill looks up each feedback's response with
 * a correlated `… FROM events r WHERE r.event = <response> AND
 * r.conversation_id = … ORDER BY r.ts DESC, r.id DESC LIMIT 1`. Without
 * ANALYZE statistics SQLite walks `events_event_ts` backwards from the newest
 * response instead of seeking `events_response_turn`: cheap for a live
 * trigger (the turn's response is among the newest) but one scan of all
 * responses per historical feedback row in a backfill — about 150 s for 150k
 * events, hours for 10M. For the bench build the subquery is pinned to the
 * turn index, which yields the same rows; if that fails, the statement runs
 * as written.
 */
function withTurnIndex(db, statement) {
  const hasIndex = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'events_response_turn'").get() !== undefined;
  if (!hasIndex || !/FROM events r\b/.test(statement)) return statement;
  const pinned = statement.replaceAll(/FROM events r\b/g, 'FROM events r INDEXED BY events_response_turn');
  try {
    db.prepare(pinned);
    return pinned;
  } catch {
    return statement;
  }
}

/** Empties the tables the backfills insert into, then runs the backfills in migration order. */
export function rebuildRollups(db, log = () => {}) {
  const statements = backfillStatements().map((statement) => withTurnIndex(db, statement));
  db.transaction(() => {
    for (const statement of statements) {
      const target = /^INSERT INTO\s+(\w+)/i.exec(statement)?.[1];
      if (target !== undefined) db.exec(`DELETE FROM ${target}`);
    }
    for (const statement of statements) {
      const started = performance.now();
      db.exec(statement);
      const [, verb, table] = /^(INSERT INTO|UPDATE)\s+(\w+)/i.exec(statement);
      log(`    ${verb === 'UPDATE' ? 'update' : 'fill'} ${table}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  })();
}

function fileSize(path) {
  return statSync(path).size;
}
