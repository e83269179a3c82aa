// @vitest-environment node
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText, wrapLanguageModel } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { chatmeterMiddleware } from '../src/node/ai-sdk.js';
import type { LlmCallOptions } from '../src/node/llm-call-options.js';
import { chatChunk, chatCompletion, chatUsageChunk, openAIError, startFakeOpenAI, type OpenAIReply } from './support/fake-openai-server.js';
import { expectStreamedHelloTimings, startTracking } from './support/tracked-responses.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setUp(reply: () => OpenAIReply, options: LlmCallOptions) {
  const llm = await startFakeOpenAI(reply);
  const tracking = await startTracking();
  cleanups.push(llm.close, tracking.close);
  const provider = createOpenAICompatible({ name: 'local', baseURL: llm.baseURL, apiKey: 'sk-test', includeUsage: true });
  const model = wrapLanguageModel({ model: provider.chatModel('gpt-4o-mini'), middleware: chatmeterMiddleware(tracking.chatmeter, options) });
  return { llm, tracking, model };
}

describe('chatmeterMiddleware (Vercel AI SDK)', () => {
  it('records a generateText call with the answering model, tokens, cost, latency and response id', async () => {
    const { tracking, model } = await setUp(() => ({ kind: 'json', delayMs: 60, body: chatCompletion('Paris.', { prompt: 1000, completion: 500 }) }), {
      userId: 'user-3',
      conversationId: 'conv-a',
      promptNumber: 2,
    });

    const { text } = await generateText({ model, prompt: 'Capital of France?', maxRetries: 0 });

    expect(text).toBe('Paris.');
    const messages = await tracking.sent();
    // The user travels with the event itself: no identify call, the instance's anonymous id is linked to no user.
    expect(messages.map((message) => message['type'])).toEqual(['track']);
    expect(messages[0]).toMatchObject({ userId: 'user-3', event: 'ai_llm_response_received' });
    const properties = messages[0]!['properties'];
    expect(properties).toMatchObject({
      conversation_id: 'conv-a',
      prompt_number: 2,
      model_used: 'gpt-4o-mini-2024-07-18',
      response_id: 'chatcmpl-1',
      response_status: 'success',
      token_count: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 },
    });
    expect(properties.cost).toBeCloseTo(0.00045, 10);
    expect(properties.latency_ms).toBeGreaterThanOrEqual(55);
    expect(properties).not.toHaveProperty('response_text');
  });

  it('measures a streamText call: first text delta, end of stream, usage from the last chunk', async () => {
    const { llm, tracking, model } = await setUp(
      () => ({
        kind: 'sse',
        events: [
          { data: chatChunk({ role: 'assistant', content: '' }) },
          { afterMs: 120, data: chatChunk({ content: 'Hel' }) },
          { afterMs: 150, data: chatChunk({ content: 'lo' }) },
          { data: chatChunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) },
          { data: chatUsageChunk(12, 30) },
        ],
      }),
      { conversationId: 'conv-b' },
    );

    const result = streamText({ model, prompt: 'Say hello', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;

    expect(text).toBe('Hello');
    expect(llm.requests[0]?.body['stream_options']).toEqual({ include_usage: true });
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({
      conversation_id: 'conv-b',
      model_used: 'gpt-4o-mini-2024-07-18',
      response_id: 'chatcmpl-stream-1',
      response_status: 'success',
      token_count: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
    });
    expectStreamedHelloTimings(properties);
  });

  it('records a failed generateText as status error with the HTTP status, and rethrows the same APICallError', async () => {
    const { tracking, model } = await setUp(() => ({ kind: 'json', status: 500, body: openAIError('The server had an error', 'server_error') }), { conversationId: 'conv-c' });

    const failure = await generateText({ model, prompt: 'Hi', maxRetries: 0 }).catch((error: unknown) => error);

    expect(APICallError.isInstance(failure)).toBe(true);
    expect((failure as APICallError).statusCode).toBe(500);
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({ conversation_id: 'conv-c', model_used: 'gpt-4o-mini', response_status: 'error', error_type: 'http_500' });
    expect(properties).not.toHaveProperty('error_message');
  });

  it('records a generateText that runs past its abort timeout as status timeout', async () => {
    const { tracking, model } = await setUp(() => ({ kind: 'hang' }), { conversationId: 'conv-d' });

    const failure = await generateText({ model, prompt: 'Hi', maxRetries: 0, abortSignal: AbortSignal.timeout(200) }).catch((error: unknown) => error);

    expect((failure as Error).name).toBe('TimeoutError');
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({ conversation_id: 'conv-d', response_status: 'timeout', error_type: 'TimeoutError' });
    expect(properties!.latency_ms).toBeGreaterThanOrEqual(190);
  });

  it('records a failed streamText as status error although streamText itself reports it through onError', async () => {
    const { tracking, model } = await setUp(() => ({ kind: 'json', status: 429, body: openAIError('Rate limit reached', 'requests') }), { conversationId: 'conv-e' });

    const reported: unknown[] = [];
    const result = streamText({ model, prompt: 'Hi', maxRetries: 0, onError: ({ error }) => void reported.push(error) });
    for await (const delta of result.textStream) void delta;

    expect(reported).toHaveLength(1);
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({ conversation_id: 'conv-e', response_status: 'error', error_type: 'http_429' });
  });
});
