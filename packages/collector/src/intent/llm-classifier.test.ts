import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClassifier, LlmClassifierError, type LlmClassifierOptions } from './llm-classifier.js';

const taxonomy = {
  intents: [
    { name: 'order_status', description: 'Where an order is, when it ships or arrives.', examples: ['where is my order?', 'has it shipped', 'third example'] },
    { name: 'support_returns', description: 'Returning an item or getting a refund.', examples: ['I want a refund'] },
    { name: 'product_search', description: 'Finding a product to buy.', examples: ['red running shoes size 42'] },
    { name: 'other', description: 'Anything else.', examples: [] },
  ],
};

const PROMPT = 'where is my parcel? my email is jane@example.com';

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** Answers one request; the server plays them in order, the last one for any extra request. */
type ScriptedReply = (response: ServerResponse) => void;

function completion(content: string, usage: Record<string, number> = { prompt_tokens: 120, completion_tokens: 3, total_tokens: 123 }) {
  return (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ id: 'cmpl-1', choices: [{ index: 0, message: { role: 'assistant', content } }], usage }));
  };
}

function status(code: number, headers: Record<string, string> = {}) {
  return (response: ServerResponse) => {
    response.writeHead(code, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify({ error: { message: `scripted ${code}` } }));
  };
}

function silentFor(ms: number) {
  return (response: ServerResponse) => {
    setTimeout(() => completion('order_status')(response), ms).unref();
  };
}

describe('LLM intent classifier', () => {
  let server: Server;
  let baseUrl: string;
  let script: ScriptedReply[];
  let requests: RecordedRequest[];

  beforeEach(async () => {
    script = [];
    requests = [];
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        });
        const reply = script[Math.min(requests.length - 1, script.length - 1)];
        if (reply === undefined) throw new Error('test server has no scripted reply');
        reply(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function classifier(options: Partial<LlmClassifierOptions> = {}) {
    return createLlmClassifier({ url: baseUrl, model: 'test/model-mini', taxonomy, timeoutMs: 1000, ...options });
  }

  it('posts the prompt with the taxonomy as system prompt, at temperature 0, with the API key', async () => {
    script = [completion('order_status')];

    const result = await classifier({ apiKey: 'sk-test-123' }).classify(PROMPT);

    expect(result.intent).toBe('order_status');
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/api/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-test-123');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = request?.body as { model: string; temperature: number; messages: { role: string; content: string }[] };
    expect(body.model).toBe('test/model-mini');
    expect(body.temperature).toBe(0);
    expect(body.messages).toHaveLength(2);
    const [system, user] = body.messages;
    expect(system?.role).toBe('system');
    for (const name of ['order_status', 'support_returns', 'product_search', 'other']) expect(system?.content).toContain(name);
    expect(system?.content).toContain('Returning an item or getting a refund.');
    expect(system?.content).toContain('"where is my order?"');
    expect(system?.content).toContain('"has it shipped"');
    expect(system?.content).not.toContain('third example');
    expect(system?.content).toMatch(/exactly one intent name/);
    expect(user).toEqual({ role: 'user', content: PROMPT });
  });

  it('sends no authorization header without an API key', async () => {
    script = [completion('other')];

    await classifier().classify(PROMPT);

    expect(requests[0]?.headers.authorization).toBeUndefined();
  });

  it.each([
    ['"Order_Status"', 'order_status'],
    ['  SUPPORT_RETURNS.\n', 'support_returns'],
    ["'product_search'!", 'product_search'],
    ['```\norder_status\n```', 'order_status'],
    ['```json\n{"intent": "support_returns"}\n```', 'support_returns'],
    ['{"intent":"Product_Search"}', 'product_search'],
    ['The intent is: order status.', 'order_status'],
    ['I would classify this as **support_returns** because the user wants a refund.', 'support_returns'],
    ['product-search', 'product_search'],
  ])('maps the answer %j to %s', async (answer, expected) => {
    script = [completion(answer)];

    await expect(classifier().classify(PROMPT)).resolves.toMatchObject({ intent: expected });
  });

  it.each([['banana'], [''], ['I cannot help with that.'], ['{"intent": "weather"}'], ['order']])(
    'maps the unknown answer %j to other',
    async (answer) => {
      script = [completion(answer)];

      await expect(classifier().classify(PROMPT)).resolves.toMatchObject({ intent: 'other' });
    },
  );

  it('retries once after a timeout, then rejects with an LlmClassifierError that does not contain the prompt', async () => {
    script = [silentFor(2000)];

    const error: unknown = await classifier({ timeoutMs: 200 }).classify(PROMPT).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LlmClassifierError);
    expect((error as LlmClassifierError).message).toMatch(/did not answer within 200 ms/);
    expect((error as LlmClassifierError).message).not.toContain('parcel');
    expect((error as LlmClassifierError).status).toBeUndefined();
    expect(requests).toHaveLength(2);
  });

  it('succeeds when the attempt after a timeout answers in time', async () => {
    script = [silentFor(2000), completion('support_returns')];

    await expect(classifier({ timeoutMs: 200 }).classify(PROMPT)).resolves.toMatchObject({ intent: 'support_returns' });
    expect(requests).toHaveLength(2);
  });

  it('retries after a 429, waiting as long as Retry-After asks', async () => {
    script = [status(429, { 'retry-after': '1' }), completion('order_status')];

    const startedAt = Date.now();
    const result = await classifier().classify(PROMPT);

    expect(result.intent).toBe('order_status');
    expect(requests).toHaveLength(2);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
  });

  it('caps a long Retry-After so the worker is not blocked for minutes', async () => {
    script = [status(429, { 'retry-after': '120' }), completion('order_status')];

    const startedAt = Date.now();
    await expect(classifier().classify(PROMPT)).resolves.toMatchObject({ intent: 'order_status' });
    expect(Date.now() - startedAt).toBeLessThan(3000);
  });

  it('rejects with the status after two 500s', async () => {
    script = [status(500), status(500)];

    const error: unknown = await classifier().classify(PROMPT).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LlmClassifierError);
    expect((error as LlmClassifierError).status).toBe(500);
    expect((error as LlmClassifierError).message).toMatch(/HTTP 500 \(2 attempts\)/);
    expect(requests).toHaveLength(2);
  });

  it('does not retry a 400 and names the model to check', async () => {
    script = [status(400), completion('order_status')];

    const error: unknown = await classifier().classify(PROMPT).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LlmClassifierError);
    expect((error as LlmClassifierError).status).toBe(400);
    expect((error as LlmClassifierError).message).toContain('test/model-mini');
    expect((error as LlmClassifierError).message).not.toContain('parcel');
    expect(requests).toHaveLength(1);
  });

  it('tells to check the API key on a 401, without retrying', async () => {
    script = [status(401)];

    await expect(classifier({ apiKey: 'wrong' }).classify(PROMPT)).rejects.toThrow(/check the API key/);
    expect(requests).toHaveLength(1);
  });

  it('does not retry at all with retries: 0', async () => {
    script = [status(503), completion('order_status')];

    await expect(classifier({ retries: 0 }).classify(PROMPT)).rejects.toMatchObject({ status: 503 });
    expect(requests).toHaveLength(1);
  });

  it('rejects when nothing listens at the URL', async () => {
    const closedPort = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    await expect(
      classifier({ url: `http://127.0.0.1:${closedPort}/v1` }).classify(PROMPT),
    ).rejects.toThrow(/could not be reached; check the URL/);
  });

  it('answers a repeated text from its cache without calling the server', async () => {
    script = [completion('support_returns')];
    const llm = classifier();

    const first = await llm.classify(PROMPT);
    const second = await llm.classify(PROMPT);

    expect(first.cached).toBeUndefined();
    expect(second).toEqual({ intent: 'support_returns', cached: true });
    expect(requests).toHaveLength(1);
  });

  it('forgets the least recently used text beyond cacheSize', async () => {
    script = [completion('order_status')];
    const llm = classifier({ cacheSize: 2 });

    await llm.classify('a');
    await llm.classify('b');
    await llm.classify('a'); // cached; "b" is now the least recently used
    await llm.classify('c'); // evicts "b"
    await llm.classify('a');
    await llm.classify('b');

    expect(requests.map((request) => (request.body as { messages: { content: string }[] }).messages[1]?.content)).toEqual([
      'a',
      'b',
      'c',
      'b',
    ]);
  });

  it('records token usage and the cost the provider reports', async () => {
    script = [completion('order_status', { prompt_tokens: 250, completion_tokens: 4, total_tokens: 254, cost: 0.0000381 })];

    const result = await classifier({ pricing: { promptPerMillion: 1000, completionPerMillion: 1000 } }).classify(PROMPT);

    expect(result.usage).toEqual({ promptTokens: 250, completionTokens: 4, totalTokens: 254, cost: 0.0000381 });
  });

  it('computes the cost from the configured prices when the provider reports none', async () => {
    script = [completion('order_status', { prompt_tokens: 1000, completion_tokens: 10, total_tokens: 1010 })];

    const result = await classifier({ pricing: { promptPerMillion: 0.15, completionPerMillion: 0.6 } }).classify(PROMPT);

    // 1000 × 0.15 / 1e6 + 10 × 0.6 / 1e6
    expect(result.usage?.promptTokens).toBe(1000);
    expect(result.usage?.completionTokens).toBe(10);
    expect(result.usage?.totalTokens).toBe(1010);
    expect(result.usage?.cost).toBeCloseTo(0.000156, 12);
  });

  it('counts the cost as 0 without reported cost or prices', async () => {
    script = [completion('order_status')];

    const result = await classifier().classify(PROMPT);

    expect(result.usage).toEqual({ promptTokens: 120, completionTokens: 3, totalTokens: 123, cost: 0 });
  });

  it('rejects an answer that is not a chat completion, pointing at the URL', async () => {
    script = [
      (response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>login</html>');
      },
    ];

    await expect(classifier().classify(PROMPT)).rejects.toThrow(/not JSON; check that the URL/);
    expect(requests).toHaveLength(1);
  });

  it('is named llm', () => {
    expect(classifier().name).toBe('llm');
  });
});
