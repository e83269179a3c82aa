import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  authorization: string | undefined;
  body: { batch: Array<Record<string, any>>; sentAt?: string; writeKey?: string };
  at: number;
}

export type Reply = (request: ReceivedRequest) => { status: number; body?: unknown; headers?: Record<string, string> };

/** A scripted collector on 127.0.0.1: each request takes the next reply (the last one repeats). */
export async function startFakeCollector(replies: Reply[] = [acceptAll]) {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      response.setHeader('access-control-allow-origin', '*');
      response.setHeader('access-control-allow-headers', 'authorization, content-type');
      if (request.method === 'OPTIONS') return void response.writeHead(204).end();
      const received: ReceivedRequest = { authorization: request.headers.authorization, body: JSON.parse(raw), at: Date.now() };
      const reply = (replies[Math.min(requests.length, replies.length - 1)] ?? acceptAll)(received);
      requests.push(received);
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    /** Every message received, in order, except the SDK's own health reports (see `healthReports`). */
    messages: () => requests.flatMap((request) => request.body.batch).filter((message) => message['event'] !== 'chatmeter_sdk_health'),
    /** The `chatmeter_sdk_health` reports received, in order. */
    healthReports: () => requests.flatMap((request) => request.body.batch).filter((message) => message['event'] === 'chatmeter_sdk_health'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const acceptAll: Reply = (request) => ({
  status: 200,
  body: { accepted: request.body.batch.length, duplicates: 0, rejected: [] },
});
