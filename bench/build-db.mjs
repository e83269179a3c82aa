// Builds (or reuses) the metrics benchmark database: synthetic EventRecords
// written through the collector's own write path — SqliteStore.insertEvents
// (identity resolution, identify/alias relabelling, users and traits, every
// index exactly as on ingest), then the store's rollup materializer folding
// them into the rollups (rollup-materializer.ts), as a running collector does.
import { existsSync, rmSync, statSync } from 'node:fs';
import { SqliteStore } from '../packages/collector/dist/store/sqlite/index.js';
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
export async function buildDatabase({ path, events, users, days, ids = 'bench', writeKey, reuse, endMs: fixedEndMs, quiet = false }) {
  const log = quiet ? () => {} : (line) => console.log(line);
  if (reuse && existsSync(path)) {
    const store = new SqliteStore({ path, rollups: { background: false } });
    const stored = await store.getSetting(META_SETTING);
    // A file from before a migration that adds lists: written now, as a running collector's fold writes them after the upgrade.
    const listsMark = performance.now();
    const lists = store.rollups.refreshAllLists();
    if (lists > 0) log(`wrote the lists of ${formatInt(lists)} quarters in ${((performance.now() - listsMark) / 1000).toFixed(1)} s`);
    await store.close();
    const meta = stored === null ? null : JSON.parse(stored);
    // Files of before BENCH_IDS hold bench ids.
    if (meta !== null && meta.events === events && meta.users === users && meta.days === days && (meta.ids ?? 'bench') === ids) {
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
  const generator = createSyntheticEvents({ events, users, days, endMs, writeKey, ids });
  // Folding is timed on its own: after each insertEvents call rather than in the background. `inline`: the
  // request transactions run on this connection (not the writer thread's), so the load pragmas below apply to them.
  const store = new SqliteStore({ path, rollups: { background: false }, writer: 'inline' });
  // Load settings for this connection only (the data written is the same); the
  // collector started later opens the file with its own (production) pragmas.
  store.db.pragma('synchronous = OFF');
  store.db.pragma('cache_size = -1048576'); // 1 GiB
  store.db.pragma('secure_delete = OFF');
  store.db.pragma('wal_autocheckpoint = 100000');
  log(`building ${path}: ${formatInt(events)} events, ${formatInt(users)} users, ${days} days, ${ids} ids (insertEvents, then the rollup materializer)`);

  const started = performance.now();
  let generateMs = 0;
  let insertMs = 0;
  let foldMs = 0;
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
      mark = performance.now();
      store.rollups.catchUp();
      foldMs += performance.now() - mark;
    }
    // The lists a running collector rewrites in the background once the fold is idle (session-lists.ts).
    mark = performance.now();
    store.rollups.refreshAllLists();
    foldMs += performance.now() - mark;
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

  const meta = { events, users, days, ids, endMs, writeKey, inserted };
  await store.setSetting(META_SETTING, JSON.stringify(meta));
  let mark = performance.now();
  await store.close(); // checkpoints the WAL into the main file
  const closeMs = performance.now() - mark;
  const seconds = (performance.now() - started) / 1000;
  log(
    `built ${path}: ${formatInt(inserted)} events in ${seconds.toFixed(1)} s = ${formatInt(inserted / seconds)} events/s ` +
      `(generate ${(generateMs / 1000).toFixed(1)} s, insertEvents ${(insertMs / 1000).toFixed(1)} s = ${formatInt(inserted / (insertMs / 1000))} events/s, ` +
      `fold ${(foldMs / 1000).toFixed(1)} s = ${formatInt(inserted / (foldMs / 1000))} events/s, checkpoint ${(closeMs / 1000).toFixed(1)} s), ` +
      formatBytes(fileSize(path)),
  );
  return { path, meta, reused: false, seconds, generateMs, insertMs, foldMs, closeMs };
}

function fileSize(path) {
  return statSync(path).size;
}
