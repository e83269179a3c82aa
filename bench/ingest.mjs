// Benchmark 1 — ingest throughput. The collector runs in this process (as
// `chatmeter-collector start` would, on a fresh temporary database); the
// clients run in a child process (bench/ingest-client.mjs) and POST /v1/batch.
import { fork } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../packages/collector/dist/config.js';
import { createLogger } from '../packages/collector/dist/logger.js';
import { startServer } from '../packages/collector/dist/server.js';
import { clickHouseFootprint, startBenchClickHouse } from './clickhouse-engine.mjs';
import { formatBytes, formatCores, formatInt, formatMs, heading, quantile, startCpuMeter, table } from './stats.mjs';

/**
 * `engine`: `sqlite` (a temporary file) or `clickhouse` (a private clickhouse-server started for the run).
 * `from` (SQLite only): a checkpointed file to start from (copied, without its -wal), instead of a new one: ingest into a
 * collector that has gathered data.
 */
export async function runIngestBenchmark({ seconds, clients = 4, batchSize = 100, sendText = true, liveTimestamps = false, ids = 'bench', from, engine = 'sqlite' }) {
  heading(`Ingest throughput (${engine === 'sqlite' ? 'SQLite' : 'ClickHouse'}): ${clients} clients × ${batchSize}-message batches for ${seconds} s${liveTimestamps ? ', live timestamps' : ''}${ids === 'sdk' ? ', SDK ids' : ''}${from === undefined ? '' : `, into a copy of ${from}`}`);
  // Only the main file is copied: events still in a write-ahead log would be missing from the copy.
  if (from !== undefined && existsSync(`${from}-wal`) && statSync(`${from}-wal`).size > 0) {
    throw new Error(`BENCH_INGEST_FROM: ${from}-wal holds pages not yet in ${from}; open and close it with the collector (or run PRAGMA wal_checkpoint(TRUNCATE)) first`);
  }
  const directory = mkdtempSync(join(tmpdir(), 'chatmeter-bench-ingest-'));
  const db = join(directory, 'ingest.db');
  if (from !== undefined) copyFileSync(from, db);
  const writeKey = 'bench_write_key_ingest';
  const readKey = 'bench_read_key_ingest';
  const clickhouse = engine === 'clickhouse' ? await startBenchClickHouse() : undefined;
  const storeArgs = clickhouse === undefined ? ['--db', db] : clickhouse.storeArgs(directory);
  const config = loadConfig([...storeArgs, '--port', '0', '--write-key', writeKey, '--read-key', readKey, '--log-level', 'silent'], {});
  const collector = await startServer(config, createLogger('silent'));
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let measuring = false;
  const rssSamples = [];
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (measuring) rssSamples.push(rss);
    rssPeak = Math.max(rssPeak, rss);
  }, 200);

  // The collector's CPU time over the measured window (this process: event loop, writer thread, classifier), in cores.
  let cpuMeter;
  const load = () =>
    new Promise((resolve, reject) => {
      const child = fork(new URL('./ingest-client.mjs', import.meta.url), [], { stdio: 'inherit', execArgv: [] });
      child.on('message', (message) => {
        if (message.type === 'measuring') {
          measuring = true;
          cpuMeter = startCpuMeter();
        } else if (message.type === 'result') resolve({ ...message.result, collectorCores: cpuMeter.cores() });
        else if (message.type === 'error') reject(new Error(message.message));
      });
      child.once('exit', (code) => {
        if (code !== 0) reject(new Error(`ingest client exited with ${code}`));
      });
      child.send({ url: collector.url, writeKey, seconds, warmupSeconds: 2, clients, batchSize, sendText, liveTimestamps, ids });
    });

  // The ceiling: the same HTTP path (parsing, auth, validation, answers) with
  // a store that stores nothing, in the same process and run.
  const realInsert = collector.store.insertEvents.bind(collector.store);
  collector.store.insertEvents = async (events) => ({ inserted: events.length, duplicates: 0 });
  const ceiling = await load();
  collector.store.insertEvents = realInsert;
  const result = await load();
  measuring = false;
  clearInterval(sampler);
  const rssEnd = process.memoryUsage().rss;
  const queued = await collector.store.queuedPromptCount();
  let stored;
  let classified;
  let dbBytes;
  let rollupBacklog = null;
  if (clickhouse === undefined) {
    stored = collector.store.db.prepare('SELECT count(*) AS n FROM events').get().n;
    // How far the background materializer was behind ingest when the load stopped (close() folds the rest).
    rollupBacklog = collector.store.db.prepare('SELECT count(*) AS n FROM events WHERE id > (SELECT folded_through FROM rollup_watermark)').get().n;
    classified = collector.store.db
      .prepare("SELECT count(*) AS n FROM events WHERE event = 'ai_user_prompt_created' AND intent IS NOT NULL")
      .get().n;
    await collector.close();
    dbBytes = statSync(db).size;
  } else {
    await collector.close();
    ({ events: stored, bytes: dbBytes, classifiedPrompts: classified } = await clickHouseFootprint(clickhouse.server));
    await clickhouse.stop();
  }
  rmSync(directory, { recursive: true, force: true });

  const figures = {
    engine,
    seconds: result.elapsedSeconds,
    clients,
    batchSize,
    sendText,
    liveTimestamps,
    requests: result.requests,
    failures: result.failures,
    accepted: result.accepted,
    duplicates: result.duplicates,
    rejected: result.rejected,
    eventsPerSecond: result.accepted / result.elapsedSeconds,
    noopStoreEventsPerSecond: ceiling.accepted / ceiling.elapsedSeconds,
    noopStoreP99: quantile(ceiling.latencies, 0.99),
    collectorCores: result.collectorCores,
    clientCores: result.cores,
    noopStoreCollectorCores: ceiling.collectorCores,
    noopStoreClientCores: ceiling.cores,
    requestsPerSecond: result.requests / result.elapsedSeconds,
    p50: quantile(result.latencies, 0.5),
    p95: quantile(result.latencies, 0.95),
    p99: quantile(result.latencies, 0.99),
    max: quantile(result.latencies, 1),
    rssBefore,
    rssAverage: rssSamples.length === 0 ? rssEnd : rssSamples.reduce((sum, value) => sum + value, 0) / rssSamples.length,
    rssPeak,
    rssEnd,
    storedEvents: stored,
    classifiedPrompts: classified,
    classificationBacklog: queued,
    rollupBacklog,
    dbBytes,
    bytesPerEvent: stored > 0 ? dbBytes / stored : null,
  };
  console.log(
    table(
      ['figure', 'value'],
      [
        ['events/s (accepted)', formatInt(figures.eventsPerSecond)],
        ['events/s with a no-op store (HTTP ceiling)', formatInt(figures.noopStoreEventsPerSecond)],
        ['ratio to the ceiling', (figures.eventsPerSecond / figures.noopStoreEventsPerSecond).toFixed(2)],
        ['request latency p99 with the no-op store', formatMs(figures.noopStoreP99)],
        ['CPU, cores: collector / load client (no-op store)', `${formatCores(figures.collectorCores)} / ${formatCores(figures.clientCores)} (${formatCores(figures.noopStoreCollectorCores)} / ${formatCores(figures.noopStoreClientCores)})`],
        ['requests/s', formatInt(figures.requestsPerSecond)],
        ['request latency p50', formatMs(figures.p50)],
        ['request latency p95', formatMs(figures.p95)],
        ['request latency p99', formatMs(figures.p99)],
        ['request latency max', formatMs(figures.max)],
        ['requests (failed)', `${formatInt(figures.requests)} (${figures.failures})`],
        ['events accepted / duplicates / rejected', `${formatInt(figures.accepted)} / ${figures.duplicates} / ${figures.rejected}`],
        ['collector RSS: idle → avg under load → peak', `${formatBytes(rssBefore)} → ${formatBytes(figures.rssAverage)} → ${formatBytes(rssPeak)}`],
        ['prompts classified during the run / still queued', `${classified === null ? '—' : formatInt(classified)} / ${formatInt(queued)}`],
        ['events not yet folded into the rollups at the end', rollupBacklog === null ? '—' : formatInt(rollupBacklog)],
        [engine === 'sqlite' ? 'database size after the run' : 'ClickHouse parts on disk after the run', formatBytes(dbBytes)],
        ['bytes per stored event', figures.bytesPerEvent === null ? '—' : formatInt(figures.bytesPerEvent)],
      ],
      ['l', 'r'],
    ),
  );
  if (result.firstFailure !== null) console.log(`first failure: ${result.firstFailure}`);
  return figures;
}
