// Benchmark 4 — the built-in intent classifier: prompts per second over the
// shared dev set (and its accuracy there, for context).
import { existsSync, readFileSync } from 'node:fs';
import { createBuiltinClassifier } from '../packages/collector/dist/intent/builtin-classifier.js';
import { loadTaxonomy } from '../packages/collector/dist/intent/taxonomy.js';
import { formatInt, heading, median, table } from './stats.mjs';

const DEV_SET = process.env.BENCH_INTENTS_DEV ?? '/work/shared/data/intents-dev.jsonl';
/** Each pass classifies the whole dev set; passes go on until this much time has been spent. */
const MIN_SECONDS = 3;
const MIN_PASSES = 5;

export function runClassifierBenchmark() {
  heading('Built-in intent classifier');
  if (!existsSync(DEV_SET)) {
    console.log(`skipped: ${DEV_SET} not found (set BENCH_INTENTS_DEV)`);
    return { skipped: true };
  }
  const prompts = readFileSync(DEV_SET, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
  let started = performance.now();
  const classifier = createBuiltinClassifier(loadTaxonomy());
  const trainMs = performance.now() - started;

  // Warm-up pass (the JIT), also scoring accuracy.
  let correct = 0;
  for (const prompt of prompts) if (classifier.classifyText(prompt.text) === prompt.intent) correct += 1;

  const passRates = [];
  const perPrompt = [];
  started = performance.now();
  while (passRates.length < MIN_PASSES || performance.now() - started < MIN_SECONDS * 1000) {
    const passStart = performance.now();
    for (const prompt of prompts) classifier.classifyText(prompt.text);
    passRates.push(prompts.length / ((performance.now() - passStart) / 1000));
  }
  const totalMs = performance.now() - started;
  // Per-prompt latency, timed separately so the timer calls do not slow the throughput passes.
  for (let pass = 0; pass < 3; pass += 1) {
    for (const prompt of prompts) {
      const one = performance.now();
      classifier.classifyText(prompt.text);
      perPrompt.push(performance.now() - one);
    }
  }
  const classified = passRates.length * prompts.length;
  const sorted = Float64Array.from(perPrompt).sort();
  const figures = {
    prompts: prompts.length,
    passes: passRates.length,
    promptsPerSecond: classified / (totalMs / 1000),
    medianPassPromptsPerSecond: median(passRates),
    p50Ms: sorted[Math.floor(sorted.length * 0.5)],
    p99Ms: sorted[Math.floor(sorted.length * 0.99)],
    maxMs: sorted[sorted.length - 1],
    trainMs,
    accuracy: correct / prompts.length,
  };
  console.log(
    table(
      ['figure', 'value'],
      [
        ['dev set', `${prompts.length} prompts (${DEV_SET})`],
        ['prompts/s (single thread)', formatInt(figures.promptsPerSecond)],
        ['per prompt p50 / p99 / max', `${(figures.p50Ms * 1000).toFixed(0)} µs / ${(figures.p99Ms * 1000).toFixed(0)} µs / ${figures.maxMs.toFixed(2)} ms`],
        ['model training (taxonomy load + fit)', `${trainMs.toFixed(0)} ms`],
        ['accuracy on the dev set', `${(figures.accuracy * 100).toFixed(1)}%`],
      ],
      ['l', 'r'],
    ),
  );
  return figures;
}
