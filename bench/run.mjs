#!/usr/bin/env node
// Chatmeter benchmark suite: `npm run bench` (builds the packages first), or
// `node bench/run.mjs` against an existing build. Figures are printed, never
// asserted. See bench/README.md for what each benchmark measures and the knobs.
//
// Each benchmark runs in a child process of its own (this file again, with
// `--child <name>`), so that one benchmark's heap and RSS never colour
// another's and each can get its own V8 flags.
import { fork } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatBytes, formatInt, heading, table } from './stats.mjs';
import { clickHouseInstalled } from './clickhouse-engine.mjs';
import { benchIds } from './sdk-ids.mjs';

const BENCHMARKS = ['sdk', 'classifier', 'ingest', 'metrics'];
/** Benchmarks run once per storage engine; the others do not touch a store. */
const PER_ENGINE = new Set(['ingest', 'metrics']);
const ENGINES = ['sqlite', 'clickhouse'];
/** V8 flags per benchmark: the database builder allocates millions of short-lived records. */
const EXEC_ARGV = { metrics: ['--max-semi-space-size=64'] };

function readSettings(env = process.env) {
  const number = (name, fallback) => {
    const text = env[name];
    if (text === undefined || text.trim() === '') return fallback;
    const value = Number(text.replace(/[_,]/g, ''));
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(text)}`);
    return value;
  };
  const only = (env.BENCH_ONLY ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = only.filter((name) => !BENCHMARKS.includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
  const engines = (env.BENCH_ENGINES ?? (clickHouseInstalled() ? 'sqlite,clickhouse' : 'sqlite')).split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknownEngines = engines.filter((name) => !ENGINES.includes(name));
  if (unknownEngines.length > 0) throw new Error(`BENCH_ENGINES: unknown engine ${unknownEngines.join(', ')}; known: ${ENGINES.join(', ')}`);
  if (engines.includes('clickhouse') && !clickHouseInstalled()) throw new Error('BENCH_ENGINES names clickhouse, but clickhouse-server is not installed (apt-get install -y clickhouse-server)');
  const events = Math.round(number('BENCH_EVENTS', 10_000_000));
  // The SQLite metrics benchmark runs once per size; the storage targets are set at 1M and 10M events.
  const sizes = (env.BENCH_SIZES ?? '').split(',').map((text) => text.trim()).filter((text) => text !== '').map((text) => {
    const value = Number(text.replace(/[_]/g, ''));
    if (!Number.isInteger(value) || value <= 0) throw new Error(`BENCH_SIZES must list positive whole event counts, got ${JSON.stringify(text)}`);
    return value;
  });
  const users = Math.round(number('BENCH_USERS', 100_000));
  // ClickHouse is filled through the collector's own insert path, one 50,000-event INSERT at a time; 1M keeps a run in minutes on a small machine.
  const clickhouseEvents = Math.round(number('BENCH_CLICKHOUSE_EVENTS', Math.min(events, 1_000_000)));
  return {
    engines,
    clickhouseEvents,
    // The same events per user as the SQLite data set, so both describe the same product at different sizes.
    clickhouseUsers: Math.max(1, Math.round((users * clickhouseEvents) / events)),
    only: only.length === 0 ? BENCHMARKS : BENCHMARKS.filter((name) => only.includes(name)),
    events,
    /** Metric data set sizes for SQLite, ascending; the largest is the one the other summaries describe. */
    // By default 1M beside a larger BENCH_EVENTS: the targets name both sizes.
    sizes: sizes.length === 0 ? (events > 1_000_000 ? [1_000_000, events] : [events]) : [...new Set(sizes)].sort((a, b) => a - b),
    users,
    days: Math.round(number('BENCH_DAYS', 90)),
    ids: benchIds(env.BENCH_IDS),
    dbPath: env.BENCH_DB === undefined || env.BENCH_DB === '' ? undefined : env.BENCH_DB,
    ingestSeconds: number('BENCH_INGEST_SECONDS', 20),
    ingestText: env.BENCH_INGEST_TEXT !== '0',
    ingestLiveTimestamps: ingestTimestamps(env.BENCH_INGEST_TIMESTAMPS),
    ingestFrom: env.BENCH_INGEST_FROM === undefined || env.BENCH_INGEST_FROM === '' ? undefined : env.BENCH_INGEST_FROM,
    json: env.BENCH_JSON === undefined || env.BENCH_JSON === '' ? undefined : env.BENCH_JSON,
  };
}

/** Users scale with the data set, so every size describes the same product (BENCH_USERS at BENCH_EVENTS). */
function usersFor(settings, events) {
  return Math.max(1, Math.round((settings.users * events) / settings.events));
}

async function runChild(name, settings, engine, events = settings.events) {
  switch (name) {
    case 'sdk':
      return (await import('./sdk.mjs')).runSdkBenchmark();
    case 'classifier':
      return (await import('./classifier.mjs')).runClassifierBenchmark();
    case 'ingest':
      return (await import('./ingest.mjs')).runIngestBenchmark({ seconds: settings.ingestSeconds, sendText: settings.ingestText, liveTimestamps: settings.ingestLiveTimestamps, ids: settings.ids, from: engine === 'sqlite' ? settings.ingestFrom : undefined, engine });
    case 'metrics': {
      const { runMetricsBenchmark } = await import('./metrics.mjs');
      const clickhouse = engine === 'clickhouse';
      return runMetricsBenchmark({
        events: clickhouse ? settings.clickhouseEvents : events,
        users: clickhouse ? settings.clickhouseUsers : usersFor(settings, events),
        days: settings.days,
        ids: settings.ids,
        // One kept file per size: BENCH_DB for the largest, BENCH_DB.1M beside it.
        dbPath: settings.dbPath === undefined || clickhouse || events === settings.sizes.at(-1) ? settings.dbPath : `${settings.dbPath}.${sizeLabel(events)}`,
        engine,
      });
    }
    default:
      throw new Error(`unknown benchmark ${name}`);
  }
}

function spawnBenchmark(name, engine, events) {
  return new Promise((resolve) => {
    const sizeArgs = events === undefined ? [] : ['--events', String(events)];
    const child = fork(fileURLToPath(import.meta.url), ['--child', name, '--engine', engine, ...sizeArgs], {
      stdio: 'inherit',
      execArgv: EXEC_ARGV[name] ?? [],
    });
    let result;
    child.on('message', (message) => {
      result = message;
    });
    child.once('exit', (code, signal) => {
      if (result?.ok) resolve({ ok: true, figures: result.figures });
      else resolve({ ok: false, error: result?.error ?? `exited with ${signal ?? code}` });
    });
  });
}

/** Where a benchmark's result is kept: its name for SQLite (as before engines existed), `name:engine` otherwise. */
function resultKey(name, engine) {
  return engine === 'sqlite' ? name : `${name}:${engine}`;
}

/** The SQLite metrics result of one size: the largest under `metrics` (what the summaries read), the others under `metrics@<events>`. */
function metricsKey(settings, size) {
  return size === settings.sizes.at(-1) ? 'metrics' : `metrics@${size}`;
}

/** 1M, 10M, 200k: a data set size as a column heading. */
function sizeLabel(events) {
  return events >= 1_000_000 ? `${events / 1_000_000}M` : `${events / 1_000}k`;
}

const TARGET = { eventsPerSecond: 25_000, ceilingRatio: 0.8, p99Ms: 100, bytesPerEvent: 300, buildSecondsAt10M: 300, endpointMs: 250, dashboardMs: 1_000 };
const mark = (ok) => (ok ? ' ✓' : ' ✗');

/**
 * The SQLite storage engine's targets in one table: ingest over HTTP beside
 * the same run's no-op-store ceiling, bytes per event and build time per data
 * set size, and every endpoint × scope at each size, with ✓ where a target is met.
 */
function printStorageTargets(settings, results) {
  heading('SQLite storage targets');
  const rows = [];
  const ingest = results.ingest;
  if (ingest?.ok) {
    const f = ingest.figures;
    const ratio = f.eventsPerSecond / f.noopStoreEventsPerSecond;
    rows.push([`ingest over HTTP, events/s (≥ ${formatInt(TARGET.eventsPerSecond)})`, `${formatInt(f.eventsPerSecond)}${mark(f.eventsPerSecond >= TARGET.eventsPerSecond)}`]);
    rows.push(['no-op-store HTTP ceiling, events/s', formatInt(f.noopStoreEventsPerSecond)]);
    rows.push([`ratio to the ceiling (≥ ${TARGET.ceilingRatio})`, `${ratio.toFixed(2)}${mark(ratio >= TARGET.ceilingRatio)}`]);
    rows.push([`latency p50 / p99 (p99 ≤ ${TARGET.p99Ms} ms)`, `${f.p50.toFixed(0)} / ${f.p99.toFixed(0)} ms${mark(f.p99 <= TARGET.p99Ms)}`]);
    if (f.bytesPerEvent !== null) rows.push(['bytes per event after ingest (demo traffic)', formatInt(f.bytesPerEvent)]);
  }
  const sized = settings.sizes.map((size) => ({ size, result: results[metricsKey(settings, size)] })).filter(({ result }) => result?.ok);
  for (const { size, result } of sized) {
    const f = result.figures;
    const tenMillion = size >= 10_000_000;
    if (f.bytesPerEvent !== null) {
      rows.push([`bytes per event, ${formatInt(size)} events${tenMillion ? ` (≤ ${TARGET.bytesPerEvent})` : ''}`, `${formatInt(f.bytesPerEvent)}${tenMillion ? mark(f.bytesPerEvent <= TARGET.bytesPerEvent) : ''}`]);
    }
    for (const load of f.dashboard ?? []) {
      rows.push([
        `dashboard first load, ${formatInt(size)} events, ${load.scope}${tenMillion ? ` (≤ ${formatInt(TARGET.dashboardMs)} ms)` : ''}`,
        load.error === undefined ? `${formatInt(load.median)} ms (${load.requests} requests)${tenMillion ? mark(load.median <= TARGET.dashboardMs) : ''}` : 'error',
      ]);
    }
    if (!f.generation.reused) {
      const { seconds, insertSeconds, foldSeconds } = f.generation;
      rows.push([
        `build, ${formatInt(size)} events${tenMillion ? ` (≤ ${TARGET.buildSecondsAt10M} s)` : ''}`,
        `${seconds.toFixed(0)} s (insert ${insertSeconds.toFixed(0)} s, fold ${foldSeconds.toFixed(0)} s)${tenMillion ? mark(seconds <= TARGET.buildSecondsAt10M) : ''}`,
      ]);
    }
  }
  if (rows.length > 0) console.log(table(['figure', 'value'], rows, ['l', 'l']));
  if (sized.length === 0) return;
  const scopes = [...new Set(sized[0].result.figures.results.map((entry) => entry.scope))];
  const endpoints = [...new Set(sized.flatMap(({ result }) => result.figures.results.map((entry) => entry.endpoint)))];
  const header = ['endpoint (median ms)', ...sized.flatMap(({ size }) => scopes.map((scope) => `${sizeLabel(size)} ${scope}`))];
  const endpointRows = endpoints.map((endpoint) => [
    endpoint,
    ...sized.flatMap(({ result }) =>
      scopes.map((scope) => {
        const entry = result.figures.results.find((candidate) => candidate.endpoint === endpoint && candidate.scope === scope);
        if (entry === undefined) return '—';
        if (entry.error !== undefined) return 'error';
        return `${formatInt(entry.median)}${mark(entry.median <= TARGET.endpointMs)}`;
      }),
    ),
  ]);
  console.log(table(header, endpointRows, ['l', ...header.slice(1).map(() => 'r')]));
  for (const { size, result } of sized) {
    const cases = result.figures.results;
    const met = cases.filter((entry) => entry.error === undefined && entry.median <= TARGET.endpointMs).length;
    console.log(`${formatInt(size)} events: ${met} / ${cases.length} endpoint × scope cases ≤ ${TARGET.endpointMs} ms`);
  }
}

function summarise(settings, results) {
  heading('Summary');
  const rows = [];
  const { sdk, classifier, ingest, metrics } = results;
  let missing = [];
  if (sdk?.ok) {
    rows.push(['SDK bundle chatmeter.min.js (min+gzip -6)', `${formatInt(sdk.figures.bundle.gzip)} B`]);
    rows.push(['SDK snippet (minified)', `${formatInt(sdk.figures.snippet.raw)} B`]);
    const main = sdk.figures.mainThread;
    if (main !== undefined && !main.skipped) {
      rows.push(['SDK trackPrompt median / p95 (Chromium)', `${main.trackPromptMedianMicros.toFixed(0)} / ${main.trackPromptP95Micros.toFixed(0)} µs`]);
      rows.push(['SDK main thread per event, alone / in a burst', `${main.perEventSpacedMicros.toFixed(0)} / ${main.perEventBurstMicros.toFixed(0)} µs`]);
      rows.push(['SDK longest task flushing 1,000 events', `${main.flushLongestTaskMs.toFixed(1)} ms (${main.flushLongTasks} long tasks)`]);
    }
  }
  if (classifier?.ok && !classifier.figures.skipped) rows.push(['built-in classifier', `${formatInt(classifier.figures.promptsPerSecond)} prompts/s`]);
  if (ingest?.ok) {
    const f = ingest.figures;
    rows.push(['ingest', `${formatInt(f.eventsPerSecond)} events/s, ${formatInt(f.requestsPerSecond)} req/s`]);
    rows.push(['ingest latency p50 / p95 / p99', `${f.p50.toFixed(1)} / ${f.p95.toFixed(1)} / ${f.p99.toFixed(1)} ms`]);
    rows.push(['ingest collector RSS (avg / peak)', `${formatBytes(f.rssAverage)} / ${formatBytes(f.rssPeak)}`]);
  }
  if (metrics?.ok) {
    const f = metrics.figures;
    if (!f.generation.reused) rows.push([`database build (${formatInt(f.events)} events)`, `${f.generation.seconds.toFixed(0)} s, ${formatInt(f.generation.eventsPerSecond)} events/s`]);
    const cases = f.results.length;
    const failed = f.results.filter((result) => result.error !== undefined);
    const slow = f.results.filter((result) => result.error === undefined && result.median > 250);
    rows.push([`metric endpoint cases meeting 250 ms (${formatInt(f.events)} events)`, `${cases - failed.length - slow.length} / ${cases}`]);
    missing = [...new Set([...slow, ...failed].map((result) => result.endpoint))];
  }
  for (const [key, result] of Object.entries(results)) if (!result?.ok) rows.push([`${key} FAILED`, result?.error ?? 'no result']);
  console.log(table(['figure', 'value'], rows, ['l', 'l']));
  if (missing.length > 0) console.log(`endpoints missing 250 ms in at least one scope: ${missing.join(', ')}`);
  if (settings.engines.length > 1) printEnginesSideBySide(settings, results);
}

/**
 * SQLite and ClickHouse next to each other: ingest events/s and latency,
 * bytes per stored event, and each metric endpoint's median in the largest
 * scope (90 days, UTC) at the size each engine was filled to.
 */
function printEnginesSideBySide(settings, results) {
  const engines = settings.engines;
  const label = { sqlite: 'SQLite', clickhouse: 'ClickHouse' };
  heading('Engines side by side');
  const rows = [];
  const ingest = engines.map((engine) => results[resultKey('ingest', engine)]);
  if (ingest.some((result) => result?.ok)) {
    const cell = (result, show) => (result?.ok ? show(result.figures) : '—');
    rows.push(['ingest events/s', ...ingest.map((result) => cell(result, (f) => formatInt(f.eventsPerSecond)))]);
    rows.push(['ingest latency p50 / p99 (ms)', ...ingest.map((result) => cell(result, (f) => `${f.p50.toFixed(1)} / ${f.p99.toFixed(1)}`))]);
    rows.push(['bytes per stored event (after ingest)', ...ingest.map((result) => cell(result, (f) => (f.bytesPerEvent === null ? '—' : formatInt(f.bytesPerEvent))))]);
  }
  const metrics = engines.map((engine) => results[resultKey('metrics', engine)]);
  if (metrics.some((result) => result?.ok)) {
    rows.push(['metrics data set (events)', ...metrics.map((result) => (result?.ok ? formatInt(result.figures.events) : '—'))]);
    rows.push(['bytes per stored event (metrics data set)', ...metrics.map((result) => (result?.ok && result.figures.bytesPerEvent !== null ? formatInt(result.figures.bytesPerEvent) : '—'))]);
    const scope = '90d UTC';
    const endpoints = [...new Set(metrics.flatMap((result) => (result?.ok ? result.figures.results.map((entry) => entry.endpoint) : [])))];
    for (const endpoint of endpoints) {
      rows.push([
        `${endpoint} median, ${scope} (ms)`,
        ...metrics.map((result) => {
          const entry = result?.ok ? result.figures.results.find((candidate) => candidate.endpoint === endpoint && candidate.scope === scope) : undefined;
          if (entry === undefined) return '—';
          return entry.error === undefined ? entry.median.toFixed(0) : 'error';
        }),
      ]);
    }
  }
  console.log(table(['figure', ...engines.map((engine) => label[engine])], rows, ['l', ...engines.map(() => 'r')]));
}

async function main() {
  const settings = readSettings();
  const childIndex = process.argv.indexOf('--child');
  if (childIndex !== -1) {
    const name = process.argv[childIndex + 1];
    const engine = process.argv[process.argv.indexOf('--engine') + 1] ?? 'sqlite';
    const eventsIndex = process.argv.indexOf('--events');
    const events = eventsIndex === -1 ? undefined : Number(process.argv[eventsIndex + 1]);
    try {
      const figures = await runChild(name, settings, engine, events);
      process.send?.({ ok: true, figures });
    } catch (error) {
      console.error(`${name} benchmark failed:`, error);
      process.send?.({ ok: false, error: error instanceof Error ? error.message : String(error) });
      process.exitCode = 1;
    }
    return;
  }

  if (!existsSync(new URL('../packages/collector/dist/server.js', import.meta.url))) {
    console.error('packages/collector/dist is missing: run `npm run bench` (which builds first) or `pnpm run build:packages`.');
    process.exit(1);
  }
  const cpu = cpus();
  console.log(
    `Chatmeter benchmarks — node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${formatBytes(totalmem())} RAM\n` +
      `benchmarks: ${settings.only.join(', ')}; BENCH_EVENTS=${settings.events} BENCH_USERS=${settings.users} BENCH_DAYS=${settings.days} BENCH_IDS=${settings.ids} ` +
      `BENCH_INGEST_SECONDS=${settings.ingestSeconds}${settings.dbPath === undefined ? '' : ` BENCH_DB=${settings.dbPath}`}; ` +
      `engines: ${settings.engines.join(', ')}${settings.engines.includes('clickhouse') ? ` (ClickHouse metrics: BENCH_CLICKHOUSE_EVENTS=${settings.clickhouseEvents}, ${settings.clickhouseUsers} users)` : ''}`,
  );
  const started = performance.now();
  const results = {};
  for (const name of settings.only) {
    if (!PER_ENGINE.has(name)) {
      results[name] = await spawnBenchmark(name, 'sqlite');
      continue;
    }
    for (const engine of settings.engines) {
      if (name === 'metrics' && engine === 'sqlite') {
        for (const size of settings.sizes) results[metricsKey(settings, size)] = await spawnBenchmark(name, engine, size);
      } else {
        results[resultKey(name, engine)] = await spawnBenchmark(name, engine);
      }
    }
  }
  summarise(settings, results);
  if (settings.only.includes('ingest') || settings.only.includes('metrics')) printStorageTargets(settings, results);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (settings.json !== undefined) {
    writeFileSync(settings.json, JSON.stringify({ settings, results, node: process.version, cpus: cpu.length }, null, 2));
    console.log(`results written to ${settings.json}`);
  }
  if (Object.values(results).some((result) => !result.ok)) process.exitCode = 1;
}

await main();

/** BENCH_INGEST_TIMESTAMPS: `replay` (the demo traffic's own 30 days) or `live` (every message stamped when it is sent). */
function ingestTimestamps(value) {
  if (value === undefined || value === '' || value === 'replay') return false;
  if (value === 'live') return true;
  throw new Error(`BENCH_INGEST_TIMESTAMPS must be replay or live, got ${JSON.stringify(value)}`);
}
