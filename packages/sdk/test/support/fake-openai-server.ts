import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/** How the fake server answers one request. */
export type OpenAIReply =
  | { kind: 'json'; status?: number; body: unknown; delayMs?: number }
  /** Server-sent events: each item waits `afterMs` and is sent as `data: <json>`; then `data: [DONE]`. */
  | { kind: 'sse'; events: Array<{ afterMs?: number; data: unknown }> }
  /** Headers never come: the client's own timeout or abort ends the request. */
  | { kind: 'hang' };

export interface ReceivedLlmRequest {
  path: string;
  body: Record<string, any>;
}

/**
 * An OpenAI-compatible server on 127.0.0.1 (ephemeral port) that answers
 * what the test scripts: `reply` decides per request. `baseURL` ends in /v1
 * as the openai package and the AI SDK providers expect.
 */
export async function startFakeOpenAI(reply: (request: ReceivedLlmRequest) => OpenAIReply) {
  const requests: ReceivedLlmRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      const received: ReceivedLlmRequest = { path: request.url ?? '', body: raw === '' ? {} : JSON.parse(raw) };
      requests.push(received);
      void answer(reply(received), response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function answer(reply: OpenAIReply, response: ServerResponse): Promise<void> {
  if (reply.kind === 'hang') return;
  if (reply.kind === 'json') {
    await sleep(reply.delayMs ?? 0);
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(reply.body));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const event of reply.events) {
    await sleep(event.afterMs ?? 0);
    if (response.destroyed) return;
    response.write(`data: ${JSON.stringify(event.data)}\n\n`);
  }
  response.end('data: [DONE]\n\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A chat completion chunk with one choice delta (`content` omitted for the role-only first chunk). */
export function chatChunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-stream-1',
    object: 'chat.completion.chunk',
    created: 1_767_225_600,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta, finish_reason: null, logprobs: null }],
    ...extra,
  };
}

/** The last chunk when `stream_options.include_usage` is set: no choices, only usage. */
export function chatUsageChunk(promptTokens: number, completionTokens: number) {
  return {
    id: 'chatcmpl-stream-1',
    object: 'chat.completion.chunk',
    created: 1_767_225_600,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/** A whole chat completion answering `content`. */
export function chatCompletion(content: string, usage: { prompt: number; completion: number }, model = 'gpt-4o-mini-2024-07-18') {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_767_225_600,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
  };
}

/** An OpenAI error body as the API sends it with a 4xx/5xx status. */
export function openAIError(message: string, type: string) {
  return { error: { message, type, param: null, code: null } };
}
