// @vitest-environment node
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentOpenAI } from '../src/node/openai.js';
import { chatChunk, chatCompletion, chatUsageChunk, openAIError, startFakeOpenAI, type OpenAIReply } from './support/fake-openai-server.js';
import { expectStreamedHelloTimings, startTracking } from './support/tracked-responses.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setUp(reply: (request: { path: string; body: Record<string, any> }) => OpenAIReply, clientOptions: { timeout?: number } = {}) {
  const llm = await startFakeOpenAI(reply);
  const tracking = await startTracking();
  cleanups.push(llm.close, tracking.close);
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: llm.baseURL, maxRetries: 0, ...clientOptions });
  return { llm, tracking, openai };
}

describe('instrumentOpenAI: chat.completions.create', () => {
  it('records model, tokens, cost, latency and the response id of a whole completion, and returns it unchanged', async () => {
    const { tracking, openai } = await setUp(() => ({ kind: 'json', delayMs: 60, body: chatCompletion('Paris.', { prompt: 1000, completion: 500 }) }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { userId: 'user-7', conversationId: 'conv-1', promptNumber: 3 });

    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] });

    expect(completion.choices[0]?.message.content).toBe('Paris.');
    const messages = await tracking.sent();
    // The user travels with the event itself: no identify call, the instance's anonymous id is linked to no user.
    expect(messages.map((message) => message['type'])).toEqual(['track']);
    expect(messages[0]).toMatchObject({ event: 'ai_llm_response_received', userId: 'user-7' });
    const properties = messages[0]!['properties'];
    expect(properties).toMatchObject({
      conversation_id: 'conv-1',
      prompt_number: 3,
      model_used: 'gpt-4o-mini-2024-07-18',
      response_status: 'success',
      response_id: 'chatcmpl-1',
      token_count: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 },
    });
    // gpt-4o-mini: 1000 × $0.15/M + 500 × $0.60/M
    expect(properties.cost).toBeCloseTo(0.00045, 10);
    expect(properties.latency_ms).toBeGreaterThanOrEqual(55);
    expect(properties).not.toHaveProperty('time_to_first_token_ms');
    expect(properties).not.toHaveProperty('response_text');
    expect(properties).not.toHaveProperty('prompt_text');
  });

  it('measures a stream: time to the first content chunk, latency to its end, usage from the last chunk', async () => {
    const { llm, tracking, openai } = await setUp(() => ({
      kind: 'sse',
      events: [
        { data: chatChunk({ role: 'assistant', content: '' }) },
        { afterMs: 120, data: chatChunk({ content: 'Hel' }) },
        { afterMs: 150, data: chatChunk({ content: 'lo' }) },
        { data: chatUsageChunk(12, 30) },
      ],
    }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-2' });

    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';

    expect(text).toBe('Hello');
    expect(llm.requests[0]?.body['stream_options']).toEqual({ include_usage: true });
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({
      conversation_id: 'conv-2',
      model_used: 'gpt-4o-mini-2024-07-18',
      response_status: 'success',
      response_id: 'chatcmpl-stream-1',
      token_count: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
    });
    expectStreamedHelloTimings(properties);
  });

  it('records a stream without include_usage with no tokens and no cost', async () => {
    const { tracking, openai } = await setUp(() => ({ kind: 'sse', events: [{ data: chatChunk({ content: 'Hi' }) }] }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-3' });

    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    for await (const chunk of stream) void chunk;

    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({ conversation_id: 'conv-3', response_status: 'success', model_used: 'gpt-4o-mini-2024-07-18' });
    expect(properties).not.toHaveProperty('token_count');
    expect(properties).not.toHaveProperty('cost');
    expect(properties).not.toHaveProperty('tokens_per_second');
    expect(properties!.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
  });

  it('records an HTTP error as status error with its status code, then rethrows the same error', async () => {
    const { tracking, openai } = await setUp(() => ({ kind: 'json', status: 429, body: openAIError('Rate limit reached for requests', 'requests') }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-4' });

    const failure = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
    expect((failure as InstanceType<typeof OpenAI.RateLimitError>).status).toBe(429);
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({ conversation_id: 'conv-4', model_used: 'gpt-4o', response_status: 'error', error_type: 'http_429' });
    expect(properties).not.toHaveProperty('error_message');
    expect(properties).not.toHaveProperty('cost');
  });

  it('records the client timeout as status timeout and rethrows the timeout error', async () => {
    const { tracking, openai } = await setUp(() => ({ kind: 'hang' }), { timeout: 200 });
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-5' });

    const failure = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({ conversation_id: 'conv-5', response_status: 'timeout', error_type: 'APIConnectionTimeoutError' });
    expect(properties!.latency_ms).toBeGreaterThanOrEqual(190);
  });

  it('records a stream the caller aborts as status timeout (the openai package ends it quietly)', async () => {
    const { tracking, openai } = await setUp(() => ({
      kind: 'sse',
      events: [{ data: chatChunk({ content: 'One' }) }, { afterMs: 5_000, data: chatChunk({ content: ' two' }) }],
    }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-6' });

    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count' }], stream: true });
    const received: string[] = [];
    for await (const chunk of stream) {
      received.push(chunk.choices[0]?.delta.content ?? '');
      stream.controller.abort();
    }

    expect(received).toEqual(['One']);
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({ conversation_id: 'conv-6', response_status: 'timeout', error_type: 'AbortError' });
    expect(properties!.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
  });

  it('keeps withResponse() working and records the call once', async () => {
    const { tracking, openai } = await setUp(() => ({ kind: 'json', body: chatCompletion('Yes.', { prompt: 5, completion: 2 }) }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-7' });

    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Ok?' }] }).withResponse();

    expect(data.choices[0]?.message.content).toBe('Yes.');
    expect(response.status).toBe(200);
    expect(await tracking.responses()).toHaveLength(1);
  });

  it('keeps asResponse() readable: the raw response body is left for the caller', async () => {
    const { tracking, openai } = await setUp(() => ({ kind: 'json', body: chatCompletion('Yes.', { prompt: 5, completion: 2 }) }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-9' });

    const response = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Ok?' }] }).asResponse();

    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe('Yes.');
    // The body is the caller's: the call is recorded with its status, without tokens.
    const responses = await tracking.responses();
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ conversation_id: 'conv-9', response_status: 'success', model_used: 'gpt-4o-mini' });
    expect(responses[0]).not.toHaveProperty('token_count');
  });

  it('leaves the original client unmeasured', async () => {
    const { tracking, openai } = await setUp(() => ({ kind: 'json', body: chatCompletion('Yes.', { prompt: 5, completion: 2 }) }));
    instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-8' });

    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Ok?' }] });

    expect(await tracking.responses()).toEqual([]);
  });
});

describe('instrumentOpenAI: responses.create', () => {
  const response = (usage: { input: number; output: number }) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 1_767_225_600,
    status: 'completed',
    model: 'house-model-v2',
    output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Done.', annotations: [] }] }],
    usage: { input_tokens: usage.input, output_tokens: usage.output, total_tokens: usage.input + usage.output },
  });

  it('records a whole response with the cost from a price given in the options', async () => {
    const { llm, tracking, openai } = await setUp(() => ({ kind: 'json', body: response({ input: 2000, output: 1000 }) }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-9', prices: { 'house-model': { input: 2, output: 4 } } });

    const result = await client.responses.create({ model: 'house-model', input: 'Summarise' });

    expect(result.output_text).toBe('Done.');
    expect(llm.requests[0]?.path).toBe('/v1/responses');
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({
      conversation_id: 'conv-9',
      model_used: 'house-model-v2',
      response_id: 'resp_1',
      response_status: 'success',
      token_count: { prompt_tokens: 2000, completion_tokens: 1000, total_tokens: 3000 },
    });
    // 2000 × $2/M + 1000 × $4/M
    expect(properties!.cost).toBeCloseTo(0.008, 10);
  });

  it('measures a streamed response from its first delta event to response.completed', async () => {
    const { tracking, openai } = await setUp(() => ({
      kind: 'sse',
      events: [
        { data: { type: 'response.created', sequence_number: 0, response: { ...response({ input: 0, output: 0 }), status: 'in_progress', usage: null } } },
        { afterMs: 100, data: { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Do' } },
        { afterMs: 100, data: { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'ne.' } },
        { data: { type: 'response.completed', sequence_number: 3, response: response({ input: 40, output: 8 }) } },
      ],
    }));
    const client = instrumentOpenAI(openai, tracking.chatmeter, { conversationId: 'conv-10' });

    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Summarise', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);

    expect(types).toEqual(['response.created', 'response.output_text.delta', 'response.output_text.delta', 'response.completed']);
    const [properties] = await tracking.responses();
    expect(properties).toMatchObject({ conversation_id: 'conv-10', response_id: 'resp_1', model_used: 'house-model-v2', token_count: { prompt_tokens: 40, completion_tokens: 8 } });
    expect(properties!.time_to_first_token_ms).toBeGreaterThanOrEqual(95);
    expect(properties!.latency_ms).toBeGreaterThanOrEqual(195);
    expect(properties).not.toHaveProperty('cost'); // house-model-v2 is not in the bundled table
  });
});

it('refuses an object that is not an openai client, naming what it expected', async () => {
  const tracking = await startTracking();
  cleanups.push(tracking.close);
  expect(() => instrumentOpenAI({ chat: {} }, tracking.chatmeter)).toThrow('expected an openai client (an object with chat.completions.create or responses.create)');
});
