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

const BENCHMARKS = ['sdk', 'classifier', 'ingest', 'metrics'];
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
  return {
    only: only.length === 0 ? BENCHMARKS : BENCHMARKS.filter((name) => only.includes(name)),
    events: Math.round(number('BENCH_EVENTS', 10_000_000)),
    users: Math.round(number('BENCH_USERS', 100_000)),
    days: Math.round(number('BENCH_DAYS', 90)),
    dbPath: env.BENCH_DB === undefined || env.BENCH_DB === '' ? undefined : env.BENCH_DB,
    ingestSeconds: number('BENCH_INGEST_SECONDS', 20),
    ingestText: env.BENCH_INGEST_TEXT !== '0',
    fastLoad: env.BENCH_FAST_LOAD !== '0',
    json: env.BENCH_JSON === undefined || env.BENCH_JSON === '' ? undefined : env.BENCH_JSON,
  };
}

async function runChild(name, settings) {
  switch (name) {
    case 'sdk':
      return (await import('./sdk.mjs')).runSdkBenchmark();
    case 'classifier':
      return (await import('./classifier.mjs')).runClassifierBenchmark();
    case 'ingest':
      return (await import('./ingest.mjs')).runIngestBenchmark({ seconds: settings.ingestSeconds, sendText: settings.ingestText });
    case 'metrics': {
      const { runMetricsBenchmark } = await import('./metrics.mjs');
      return runMetricsBenchmark({
        events: settings.events,
        users: settings.users,
        days: settings.days,
        dbPath: settings.dbPath,
        fastLoad: settings.fastLoad,
      });
    }
    default:
      throw new Error(`unknown benchmark ${name}`);
  }
}

function spawnBenchmark(name) {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', name], {
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
  for (const name of settings.only) if (!results[name]?.ok) rows.push([`${name} FAILED`, results[name]?.error ?? 'no result']);
  console.log(table(['figure', 'value'], rows, ['l', 'l']));
  if (missing.length > 0) console.log(`endpoints missing 250 ms in at least one scope: ${missing.join(', ')}`);
}

async function main() {
  const settings = readSettings();
  const childIndex = process.argv.indexOf('--child');
  if (childIndex !== -1) {
    const name = process.argv[childIndex + 1];
    try {
      const figures = await runChild(name, settings);
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
      `BENCH_INGEST_SECONDS=${settings.ingestSeconds}${settings.dbPath === undefined ? '' : ` BENCH_DB=${settings.dbPath}`}`,
  );
  const started = performance.now();
  const results = {};
  for (const name of settings.only) results[name] = await spawnBenchmark(name);
  summarise(settings, results);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (settings.json !== undefined) {
    writeFileSync(settings.json, JSON.stringify({ settings, results, node: process.version, cpus: cpu.length }, null, 2));
    console.log(`results written to ${settings.json}`);
  }
  if (Object.values(results).some((result) => !result.ok)) process.exitCode = 1;
}

await main();
