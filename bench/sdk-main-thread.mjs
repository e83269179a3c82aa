// Benchmark 3b — SDK main-thread cost in real Chromium: what the SDK takes
// from the page's own thread. Printed, never asserted.
//
//   trackPrompt         2,000 synchronous calls (after 200 warm-up), each
//                       timed with performance.now (5 µs resolution: the page
//                       is cross-origin isolated, else Chromium coarsens to 100 µs)
//   per event, total    main-thread task time (CDP Performance.TaskDuration)
//                       of N events, each tracked in a task of its own the way
//                       a chat page tracks them, including the IndexedDB write
//                       and minus the same loop without tracking; and of a
//                       burst of N events tracked in one task
//   flush of 1,000      longest gap of a MessageChannel heartbeat while 1,000
//                       queued events are sent, and how many long tasks
//                       (> 50 ms, PerformanceObserver 'longtask') it saw
//
// BENCH_SDK_BUNDLE=path measures another build of chatmeter.min.js (for a
// before/after comparison on the same machine).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { heading, median, quantile, table } from './stats.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TIMED_CALLS = 2000;
const WARM_UP_CALLS = 200;
const SPACED_EVENTS = 500;
const FLUSHED_EVENTS = 1000;
const WRITE_KEY = 'wk_bench';

const PAGE = `<!doctype html><html><head><script src="/chatmeter.min.js"></script><script>
  chatmeter.init({ writeKey: '${WRITE_KEY}', endpoint: location.origin, flushAt: 1e6, flushIntervalMs: 1e9 });
</script></head><body>chat</body></html>`;

function serve(bundle) {
  const server = createServer((request, response) => {
    // Cross-origin isolation gives performance.now() its finest resolution.
    const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' };
    if (request.url === '/') return void response.writeHead(200, { 'content-type': 'text/html', ...isolated }).end(PAGE);
    if (request.url === '/chatmeter.min.js') return void response.writeHead(200, { 'content-type': 'application/javascript', ...isolated }).end(bundle);
    if (request.url === '/v1/batch') {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        const accepted = JSON.parse(raw).batch.length;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted, duplicates: 0, rejected: [] }));
      });
      return;
    }
    response.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function runSdkMainThreadBenchmark() {
  heading('SDK main-thread cost (Chromium)');
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: ${CHROMIUM} is missing`);
    return { skipped: true };
  }
  const bundlePath = process.env.BENCH_SDK_BUNDLE || new URL('../packages/sdk/dist/chatmeter.min.js', import.meta.url).pathname;
  if (!existsSync(bundlePath)) throw new Error(`${bundlePath} is missing: build the SDK first (pnpm run build:packages)`);
  const { chromium } = createRequire(new URL('../packages/sdk/package.json', import.meta.url))('playwright-core');
  const server = await serve(readFileSync(bundlePath));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    /** A fresh profile (empty IndexedDB and localStorage) with the SDK loaded. */
    const freshPage = async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'TaskDuration').value;
      return { context, page, taskSeconds };
    };

    // 1. trackPrompt, synchronous cost per call.
    let { context, page } = await freshPage();
    const durations = await page.evaluate(
      async ([warmUp, timed]) => {
        const measured = [];
        for (let index = 0; index < warmUp + timed; index += 1) {
          const started = performance.now();
          chatmeter.trackPrompt({ text: `prompt ${index}` });
          const took = performance.now() - started;
          if (index >= warmUp) measured.push(took * 1000);
          if (index % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 0)); // let queue writes run, as between user prompts
        }
        await chatmeter.flush();
        return { measured, isolated: crossOriginIsolated };
      },
      [WARM_UP_CALLS, TIMED_CALLS],
    );
    await context.close();

    // 2. Total main-thread time per event, queue write included (offline: nothing is sent).
    const perEvent = async (mode) => {
      const fresh = await freshPage();
      await fresh.context.setOffline(true);
      const run = (track) =>
        fresh.page.evaluate(
          async ([events, track, mode]) => {
            const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
            if (mode === 'burst') {
              await nextTask();
              for (let index = 0; index < events; index += 1) if (track) chatmeter.trackPrompt({ text: `prompt ${index}` });
            } else {
              for (let index = 0; index < events; index += 1) {
                await nextTask();
                if (track) chatmeter.trackPrompt({ text: `prompt ${index}` });
              }
            }
            await chatmeter.flush(); // resolves once the queue writes landed (offline: sends nothing)
            await new Promise((resolve) => setTimeout(resolve, 200));
          },
          [SPACED_EVENTS, track, mode],
        );
      await run(true); // warm-up: compiles the SDK's paths and opens the database
      let before = await fresh.taskSeconds();
      await run(false);
      const idle = (await fresh.taskSeconds()) - before;
      before = await fresh.taskSeconds();
      await run(true);
      const tracked = (await fresh.taskSeconds()) - before;
      await fresh.context.close();
      return ((tracked - idle) * 1e6) / SPACED_EVENTS;
    };
    const spacedMicros = await perEvent('spaced');
    const burstMicros = await perEvent('burst');

    // 3. Longest task while 1,000 queued events are flushed.
    ({ context, page } = await freshPage());
    await context.setOffline(true);
    await page.evaluate(async (events) => {
      for (let index = 0; index < events; index += 1) chatmeter.trackPrompt({ text: `prompt ${index}` });
      await chatmeter.flush();
    }, FLUSHED_EVENTS);
    await context.setOffline(false);
    const flushing = await page.evaluate(async () => {
      const longTasks = [];
      const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((entry) => entry.duration)));
      observer.observe({ type: 'longtask' });
      const channel = new MessageChannel();
      let running = true;
      let last = performance.now();
      let longestGap = 0;
      channel.port1.onmessage = () => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
        if (running) channel.port2.postMessage(0);
      };
      channel.port2.postMessage(0);
      const started = performance.now();
      await chatmeter.flush();
      const took = performance.now() - started;
      running = false;
      await new Promise((resolve) => setTimeout(resolve, 100));
      observer.disconnect();
      return { longestGap, longTasks, took };
    });
    await context.close();

    const figures = {
      trackPromptMedianMicros: median(durations.measured),
      trackPromptP95Micros: quantile(durations.measured, 0.95),
      perEventSpacedMicros: spacedMicros,
      perEventBurstMicros: burstMicros,
      flushLongestTaskMs: flushing.longestGap,
      flushLongTasks: flushing.longTasks.length,
      flushMs: flushing.took,
    };
    console.log(`bundle: ${bundlePath}${durations.isolated ? '' : ' (page not cross-origin isolated: timings coarsened to 100 µs)'}`);
    console.log(
      table(
        ['measure', 'value', 'target'],
        [
          [`trackPrompt median (${TIMED_CALLS} calls)`, `${figures.trackPromptMedianMicros.toFixed(0)} µs`, '≤ 20 µs'],
          ['trackPrompt p95', `${figures.trackPromptP95Micros.toFixed(0)} µs`, ''],
          [`main thread per event, one per task (${SPACED_EVENTS}, queue write included)`, `${spacedMicros.toFixed(0)} µs`, '≤ 100 µs'],
          [`main thread per event, burst of ${SPACED_EVENTS} in one task`, `${burstMicros.toFixed(0)} µs`, '≤ 100 µs'],
          [`longest task while flushing ${FLUSHED_EVENTS} queued events`, `${flushing.longestGap.toFixed(1)} ms`, '≤ 50 ms'],
          ['long tasks (> 50 ms) during that flush', String(flushing.longTasks.length), '0'],
          ['that flush took', `${flushing.took.toFixed(0)} ms`, ''],
        ],
        ['l', 'r', 'l'],
      ),
    );
    return figures;
  } finally {
    await browser.close();
    server.close();
  }
}
