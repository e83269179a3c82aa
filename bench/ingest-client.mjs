// Load generator for the ingest benchmark, run as a child process so that it
// does not share the collector's event loop or RSS. It keeps `clients`
// requests in flight (one per simulated client), each a POST /v1/batch of
// `batchSize` realistic AI events, for `seconds`, then reports to its parent.
//
// Messages come from the collector's demo generator (sessions, multi-turn
// conversations, three models, feedback); prompts carry a prompt text from
// the shared intent dev set, as an SDK in `text: 'send'` mode does, so the
// collector's background classifier works during the run as it would in
// production. With BENCH_INGEST_TEXT=0 texts are redacted (the SDK default)
// and prompts carry no text to classify. The messages keep the demo's own
// timestamps (30 days of history, replayed), or with
// BENCH_INGEST_TIMESTAMPS=live each is stamped when it is sent, as live
// traffic arrives: all in the current quarter-hour.
import { existsSync, readFileSync } from 'node:fs';
import { generateDemoEvents } from '../packages/collector/dist/demo/generate-demo-events.js';
import { newSdkId, sdkShapedId } from './sdk-ids.mjs';
import { startCpuMeter } from './stats.mjs';

const DEV_SET = '/work/shared/data/intents-dev.jsonl';

process.once('message', (options) => {
  run(options).then(
    (result) => process.send({ type: 'result', result }, () => process.exit(0)),
    (error) => process.send({ type: 'error', message: String(error?.stack ?? error) }, () => process.exit(1)),
  );
});

async function run({ url, writeKey, seconds, warmupSeconds, clients, batchSize, sendText, liveTimestamps, ids }) {
  const pool = buildPool(sendText, ids);
  const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const runId = Date.now().toString(36);
  let sequence = 0;
  let cursor = 0;

  // The SDK makes a message's id when the call is made: at the message's time, parsed once per pool message.
  const poolTimes = ids === 'sdk' ? Float64Array.from(pool, (message) => Date.parse(message.timestamp)) : undefined;

  const nextBody = () => {
    const batch = new Array(batchSize);
    const sendMs = Date.now();
    const timestamp = liveTimestamps ? new Date(sendMs).toISOString() : undefined;
    for (let index = 0; index < batchSize; index += 1) {
      const message = pool[cursor];
      // Fresh ids, so every message is stored rather than answered as a retry.
      const messageId = poolTimes === undefined ? `ingest-${runId}-${sequence + 1}` : newSdkId(liveTimestamps ? sendMs : poolTimes[cursor]);
      cursor = (cursor + 1) % pool.length;
      sequence += 1;
      batch[index] = { ...message, messageId, ...(timestamp === undefined ? {} : { timestamp }) };
    }
    return JSON.stringify({ batch, sentAt: new Date().toISOString() });
  };

  const latencies = [];
  let requests = 0;
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  let failures = 0;
  let firstFailure = null;
  let measuring = false;
  const warmupEnd = performance.now() + warmupSeconds * 1000;
  let measureStart = 0;
  let measureEnd = Infinity;
  let cpuMeter;

  const client = async () => {
    for (;;) {
      const now = performance.now();
      if (now >= measureEnd) return;
      if (!measuring && now >= warmupEnd) {
        measuring = true;
        measureStart = now;
        measureEnd = now + seconds * 1000;
        cpuMeter = startCpuMeter();
        process.send({ type: 'measuring' });
      }
      const counted = measuring;
      const body = nextBody();
      const started = performance.now();
      let response;
      try {
        response = await fetch(`${url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body,
        });
        const answer = await response.json();
        const elapsed = performance.now() - started;
        if (!counted) continue;
        requests += 1;
        latencies.push(elapsed);
        if (!response.ok) {
          failures += 1;
          firstFailure ??= `HTTP ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`;
          continue;
        }
        accepted += answer.accepted ?? 0;
        duplicates += answer.duplicates ?? 0;
        rejected += Array.isArray(answer.rejected) ? answer.rejected.length : Number(answer.rejected ?? 0);
      } catch (error) {
        if (!counted) continue;
        requests += 1;
        failures += 1;
        firstFailure ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const elapsedSeconds = (Math.min(performance.now(), measureEnd) - measureStart) / 1000;
  // The load generator's own CPU time, in cores: on a 2-core machine, what it takes the collector cannot use.
  const cores = cpuMeter.cores();
  return { cores, requests, accepted, duplicates, rejected, failures, firstFailure, elapsedSeconds, latencies, poolSize: pool.length };
}

/**
 * The demo's anonymous, session and conversation ids as the SDK makes them
 * (BENCH_IDS=sdk): version 7 UUIDs of the time of the first message that
 * names them (the pool is in time order per user).
 */
function sdkIdsFor(pool) {
  const shaped = new Map();
  const shape = (id, at) => {
    let sdkId = shaped.get(id);
    if (sdkId === undefined) shaped.set(id, (sdkId = sdkShapedId(id, at)));
    return sdkId;
  };
  return pool.map((message) => {
    const at = Date.parse(message.timestamp);
    const copy = { ...message, anonymousId: shape(message.anonymousId, at) };
    if (typeof message.context?.sessionId === 'string') copy.context = { ...message.context, sessionId: shape(message.context.sessionId, at) };
    if (typeof message.properties?.conversation_id === 'string') {
      copy.properties = { ...message.properties, conversation_id: shape(message.properties.conversation_id, at) };
    }
    return copy;
  });
}

/** About 40k demo messages, ids and texts set per run. */
function buildPool(sendText, ids) {
  const texts = existsSync(DEV_SET)
    ? readFileSync(DEV_SET, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line).text)
    : ['where is my order?', 'how do I reset my password', 'can I get a refund for a damaged item'];
  const pool = [];
  let textIndex = 0;
  for (const batch of generateDemoEvents({ users: 400, days: 30, seed: 11 })) {
    for (const message of batch) {
      if (message.type === 'track' && message.event === 'ai_user_prompt_created') {
        const properties = { ...message.properties };
        // The collector classifies the text; the client does not know the intent.
        delete properties.classified_intent;
        const text = texts[textIndex % texts.length];
        textIndex += 1;
        properties.prompt_text = sendText ? text : '[redacted]';
        properties.prompt_length = text.length;
        pool.push({ ...message, properties });
      } else if (message.type === 'track' && message.properties !== undefined) {
        const properties = { ...message.properties };
        delete properties.classified_intent;
        pool.push({ ...message, properties });
      } else {
        pool.push(message);
      }
    }
  }
  return ids === 'sdk' ? sdkIdsFor(pool) : pool;
}
