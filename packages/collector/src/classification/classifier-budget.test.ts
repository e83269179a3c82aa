import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuiltinClassifier } from '../intent/builtin-classifier.js';
import { createLlmClassifier } from '../intent/llm-classifier.js';
import { loadTaxonomy } from '../intent/taxonomy.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { startClassificationWorker } from './classification-worker.js';

const MARCH_10 = Date.parse('2026-03-10T12:00:00.000Z');
const MARCH_11 = Date.parse('2026-03-11T00:00:00.000Z');
const TEXTS = [
  'do you sell the blue jacket in size M?',
  'is the laptop stand available in black?',
  'what colours does the backpack come in?',
  'my parcel has not arrived yet, where is it?',
  'I want to return these shoes for a refund',
];

/** An OpenAI-compatible endpoint that bills 0.40 per call and always answers product_inquiry. */
function startFakeLlm(): Promise<{ server: Server; url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({
        id: `cmpl-${calls}`,
        choices: [{ index: 0, message: { role: 'assistant', content: 'product_inquiry' } }],
        usage: { prompt_tokens: 100, completion_tokens: 2, total_tokens: 102, cost: 0.4 },
      }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, calls: () => calls });
    });
  });
}

function prompt(messageId: string, text: string, timestamp: string): Record<string, unknown> {
  return {
    type: 'track',
    event: 'ai_user_prompt_created',
    messageId,
    userId: 'u-1',
    timestamp,
    properties: { conversation_id: `c-${messageId}`, prompt_number: 1, prompt_text: text, text_mode: 'classify' },
  };
}

describe('the classifier daily budget', () => {
  let now = MARCH_10;
  let app: TestApp;
  let llm: Awaited<ReturnType<typeof startFakeLlm>>;
  beforeEach(async () => {
    now = MARCH_10;
    llm = await startFakeLlm();
    app = await startTestApp({ now: () => now, appOptions: { classifierDailyBudget: 1 } });
  });
  afterEach(async () => {
    await app.close();
    await new Promise<void>((resolve) => llm.server.close(() => resolve()));
  });

  async function classifyQueue(): Promise<void> {
    const taxonomy = loadTaxonomy();
    const worker = startClassificationWorker({
      queue: app.store,
      classifier: createLlmClassifier({ url: llm.url, model: 'fake', taxonomy }),
      isSampled: () => true,
      logger: pino({ level: 'silent' }),
      now: () => now,
      concurrency: 1,
      budget: { dailyLimit: 1, fallback: createBuiltinClassifier(taxonomy) },
    });
    await worker.drain();
    await worker.stop();
  }

  it('hands over to the built-in classifier once the day’s LLM spend reaches the budget, until midnight UTC', async () => {
    await app.post('/v1/batch', { batch: TEXTS.map((text, index) => prompt(`p${index}`, text, '2026-03-10T11:00:00.000Z')) });
    await classifyQueue();

    // 0.40 + 0.40 = 0.80 < 1 allows a third call; at 1.20 the LLM stops for the day.
    expect(llm.calls()).toBe(3);
    const usage = app.store.db.prepare('SELECT day, classifier, prompts, cost FROM classification_usage ORDER BY classifier').all();
    expect(usage).toEqual([
      { day: '2026-03-10', classifier: 'builtin', prompts: 2, cost: 0 },
      { day: '2026-03-10', classifier: 'llm', prompts: 3, cost: 1.2000000000000002 },
    ]);
    const intents = app.store.db.prepare("SELECT intent FROM events WHERE event = 'ai_user_prompt_created' ORDER BY id").all();
    expect(intents).toEqual([
      { intent: 'product_inquiry' }, { intent: 'product_inquiry' }, { intent: 'product_inquiry' },
      { intent: 'support_shipping' }, { intent: 'support_returns' },
    ]);

    const metric = await app.get('/v1/metrics/classification?from=2026-03-10&to=2026-03-10');
    expect(metric.body).toEqual({
      prompts: 5, sampled: 5, not_sampled: 0, pending: 0, no_text: 0, sampling_rate: 1, classifier_cost: 1.2, classifier_tokens: 306,
      budget: { day: '2026-03-10', daily_limit: 1, spent_today: 1.2, remaining_today: 0, exhausted: true },
    });

    // Midnight UTC: a new day, a new budget.
    now = MARCH_11;
    await app.post('/v1/batch', { batch: [prompt('p-next-day', 'does the jacket come in green?', '2026-03-11T00:00:00.000Z')] });
    await classifyQueue();
    expect(llm.calls()).toBe(4);
    const nextDay = await app.get('/v1/metrics/classification?from=2026-03-11&to=2026-03-11');
    expect(nextDay.body.budget).toEqual({ day: '2026-03-11', daily_limit: 1, spent_today: 0.4, remaining_today: 0.6, exhausted: false });
  });

  it('reports no limit when no budget is configured', async () => {
    const unbudgeted = await startTestApp({ now: () => MARCH_10 });
    try {
      const metric = await unbudgeted.get('/v1/metrics/classification?from=2026-03-10&to=2026-03-10');
      expect(metric.body.budget).toEqual({ day: '2026-03-10', daily_limit: null, spent_today: 0, remaining_today: null, exhausted: false });
    } finally {
      await unbudgeted.close();
    }
  });
});
