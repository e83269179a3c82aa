// @vitest-environment node
import { afterEach, expect, it } from 'vitest';
import { createChatmeter } from '../src/index.js';
import { startFakeCollector } from './support/fake-collector.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

it('works in Node with an in-memory queue (server-side tracking of responses, tokens and cost)', async () => {
  const collector = await startFakeCollector();
  close = collector.close;
  const chatmeter = createChatmeter({ writeKey: 'server_key', endpoint: collector.url });
  chatmeter.identify('user-9');
  chatmeter.trackResponse({ conversationId: 'c-1', promptNumber: 2, model: 'gpt-4o', tokens: { prompt: 100, completion: 50 }, cost: 0.01 });
  await chatmeter.flush();
  chatmeter.shutdown();
  const [identify, response] = collector.messages();
  expect(identify).toMatchObject({ type: 'identify', userId: 'user-9' });
  expect(response).toMatchObject({
    event: 'ai_llm_response_received',
    userId: 'user-9',
    properties: { conversation_id: 'c-1', prompt_number: 2, model_used: 'gpt-4o', cost: 0.01 },
  });
});

it('sends time to first token, tokens per second and the response id under their wire names', async () => {
  const collector = await startFakeCollector();
  close = collector.close;
  const chatmeter = createChatmeter({ writeKey: 'server_key', endpoint: collector.url });
  chatmeter.trackResponse({ conversationId: 'c-2', latencyMs: 900, timeToFirstTokenMs: 250, tokensPerSecond: 42.5, responseId: 'chatcmpl-9' });
  await chatmeter.flush();
  chatmeter.shutdown();
  expect(collector.messages()[0]?.['properties']).toMatchObject({
    conversation_id: 'c-2',
    latency_ms: 900,
    time_to_first_token_ms: 250,
    tokens_per_second: 42.5,
    response_id: 'chatcmpl-9',
  });
});
