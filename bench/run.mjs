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
    users,
    days: Math.round(number('BENCH_DAYS', 90)),
    dbPath: env.BENCH_DB === undefined || env.BENCH_DB === '' ? undefined : env.BENCH_DB,
    ingestSeconds: number('BENCH_INGEST_SECONDS', 20),
    ingestText: env.BENCH_INGEST_TEXT !== '0',
    json: env.BENCH_JSON === undefined || env.BENCH_JSON === '' ? undefined : env.BENCH_JSON,
  };
}

async function runChild(name, settings, engine) {
  switch (name) {
    case 'sdk':
      return (await import('./sdk.mjs')).runSdkBenchmark();
    case 'classifier':
      return (await import('./classifier.mjs')).runClassifierBenchmark();
    case 'ingest':
      return (await import('./ingest.mjs')).runIngestBenchmark({ seconds: settings.ingestSeconds, sendText: settings.ingestText, engine });
    case 'metrics': {
      const { runMetricsBenchmark } = await import('./metrics.mjs');
      const clickhouse = engine === 'clickhouse';
      return runMetricsBenchmark({
        events: clickhouse ? settings.clickhouseEvents : settings.events,
        users: clickhouse ? settings.clickhouseUsers : settings.users,
        days: settings.days,
        dbPath: settings.dbPath,
        engine,
      });
    }
    default:
      throw new Error(`unknown benchmark ${name}`);
  }
}

function spawnBenchmark(name, engine) {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', name, '--engine', engine], {
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
    try {
      const figures = await runChild(name, settings, engine);
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
      `benchmarks: ${settings.only.join(', ')}; BENCH_EVENTS=${settings.events} BENCH_USERS=${settings.users} BENCH_DAYS=${settings.days} ` +
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
    for (const engine of settings.engines) results[resultKey(name, engine)] = await spawnBenchmark(name, engine);
  }
  summarise(settings, results);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (settings.json !== undefined) {
    writeFileSync(settings.json, JSON.stringify({ settings, results, node: process.version, cpus: cpu.length }, null, 2));
    console.log(`results written to ${settings.json}`);
  }
  if (Object.values(results).some((result) => !result.ok)) process.exitCode = 1;
}

await main();
