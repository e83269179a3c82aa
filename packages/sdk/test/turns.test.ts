import 'fake-indexeddb/auto';
import { clear, createStore } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCollector } from './support/fake-collector.js';
import { makeClient } from './support/client.js';

let collector: Awaited<ReturnType<typeof startFakeCollector>>;
let client: ReturnType<typeof makeClient> | undefined;
let now = Date.parse('2026-03-01T10:00:00Z');

beforeEach(async () => {
  localStorage.clear();
  sessionStorage.clear();
  await clear(createStore('chatmeter', 'events'));
  collector = await startFakeCollector();
  now = Date.parse('2026-03-01T10:00:00Z');
  client = makeClient({ endpoint: collector.url }, { now: () => now });
});

afterEach(async () => {
  client?.shutdown();
  await collector.close();
});

const responses = () => collector.messages().filter((message) => message['event'] === 'ai_llm_response_received').map((message) => message['properties']);
const actions = () => collector.messages().filter((message) => message['event'] === 'ai_user_action').map((message) => message['properties']);

describe('streaming turns', () => {
  it('records time to first token, latency to the last token and completion tokens per second', async () => {
    const turn = client!.trackPrompt({ text: 'hello' });
    now += 400;
    turn.firstToken();
    now += 2000;
    turn.firstToken(); // a later chunk: ignored
    now += 500;
    turn.response({ tokens: { completion: 58 } });
    await client!.flush();
    // 400 ms to the first token; 2900 ms to the last; 58 tokens over 2.5 s of streaming
    expect(responses()[0]).toMatchObject({ time_to_first_token_ms: 400, latency_ms: 2900, tokens_per_second: 23.2 });
  });

  it('records no time to first token nor tokens per second for an answer that was not streamed', async () => {
    const turn = client!.trackPrompt({ text: 'hello' });
    now += 1200;
    turn.response({ tokens: { completion: 10 } });
    await client!.flush();
    expect(responses()[0]).toMatchObject({ latency_ms: 1200 });
    expect(responses()[0]).not.toHaveProperty('time_to_first_token_ms');
    expect(responses()[0]).not.toHaveProperty('tokens_per_second');
  });
});

describe('response ids', () => {
  it('gives every response a generated id, or the one given, and returns it', async () => {
    const generated = client!.trackPrompt({ text: 'a' }).response({});
    const given = client!.trackResponse({ responseId: 'chatcmpl-42' });
    await client!.flush();
    expect(generated.responseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(given.responseId).toBe('chatcmpl-42');
    expect(responses().map((properties) => properties['response_id'])).toEqual([generated.responseId, 'chatcmpl-42']);
  });

  it('binds an action to the response it rates: response id, conversation and prompt number', async () => {
    const first = client!.trackPrompt({ text: 'first question' });
    const firstAnswer = first.response({});
    client!.trackPrompt({ text: 'second question' }).response({});
    firstAnswer.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: true } });
    client!.trackAction({ actionType: 'copied_response', responseId: 'r-given' });
    await client!.flush();
    expect(actions()[0]).toMatchObject({ response_id: firstAnswer.responseId, conversation_id: first.conversationId, prompt_number: 1, action_type: 'feedback_given' });
    expect(actions()[1]).toMatchObject({ response_id: 'r-given', prompt_number: 2 });
  });

  it('regenerate then rate: a second response() on a turn names the first as regenerated_from, and each rating goes to its own answer', async () => {
    const turn = client!.trackPrompt({ text: 'q' });
    now += 1000;
    const original = turn.response({ model: 'model-a' });
    now += 5000; // the user reads, then regenerates
    turn.firstToken();
    now += 300;
    const regenerated = turn.response({ model: 'model-b' });
    const explicit = turn.response({ model: 'model-c', regeneratedFrom: original.responseId });
    original.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: false } });
    regenerated.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: true } });
    await client!.flush();
    const [first, second, third] = responses();
    expect(first).not.toHaveProperty('regenerated_from');
    expect(first).toMatchObject({ latency_ms: 1000, prompt_number: 1 });
    // Timed from the previous answer: 5300 ms later, first token after 5000 ms.
    expect(second).toMatchObject({ regenerated_from: original.responseId, response_id: regenerated.responseId, latency_ms: 5300, time_to_first_token_ms: 5000, prompt_number: 1 });
    expect(third).toMatchObject({ regenerated_from: original.responseId });
    expect(actions().map((action) => [action['response_id'], action['action_details'].feedback_value])).toEqual([
      [original.responseId, false],
      [regenerated.responseId, true],
    ]);
    expect(explicit.responseId).not.toBe(regenerated.responseId);
  });

  it('times a regenerated answer from the regenerate() click, not from the previous answer', async () => {
    const turn = client!.trackPrompt({ text: 'q' });
    now += 1000;
    const original = turn.response({ model: 'model-a' });
    now += 8000; // the user reads the first answer for 8 s
    turn.regenerate();
    now += 250;
    turn.firstToken();
    now += 750;
    turn.response({ model: 'model-b' });
    await client!.flush();
    expect(responses()[1]).toMatchObject({ regenerated_from: original.responseId, latency_ms: 1000, time_to_first_token_ms: 250 });
  });
});

describe('server-side users', () => {
  it('a response tracked with a userId carries it, sends no identify and leaves the instance identity alone', async () => {
    client!.trackResponse({ conversationId: 'c-1', userId: 'user-1' });
    client!.trackResponse({ conversationId: 'c-2', userId: 'user-2' });
    client!.track('after');
    await client!.flush();
    const messages = collector.messages();
    expect(messages.map((message) => [message['type'], message['userId']])).toEqual([
      ['track', 'user-1'],
      ['track', 'user-2'],
      ['track', undefined],
    ]);
    expect(new Set(messages.map((message) => message['anonymousId'])).size).toBe(1);
  });
});

describe('turns called from plain JavaScript', () => {
  it('tracks a response given null instead of throwing into the page', async () => {
    const turn = client!.trackPrompt({ text: 'hello' });
    now += 300;
    expect(() => turn.response(null as never)).not.toThrow();
    await client!.flush();
    expect(responses()).toHaveLength(1);
    expect(responses()[0]).toMatchObject({ latency_ms: 300, response_status: 'success' });
  });
});
