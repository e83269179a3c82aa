import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startServer, type RunningCollector } from '../src/server.js';

const KEY_A = 'limit_key_a';
const KEY_B = 'limit_key_b';

let collector: RunningCollector | undefined;
let folder: string | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await collector?.close();
  collector = undefined;
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

async function start(args: string[]): Promise<RunningCollector> {
  folder = mkdtempSync(join(tmpdir(), 'chatmeter-limits-'));
  const config = loadConfig(
    ['--port', '0', '--host', '127.0.0.1', '--db', join(folder, 'test.db'), '--read-key', 'limit_read_key',
      '--write-key', KEY_A, '--write-key', KEY_B, ...args],
    {},
  );
  collector = await startServer(config, pino({ level: 'silent' }));
  return collector;
}

function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    sockets.push(socket);
    socket.once('error', reject);
  });
}

/** Resolves with what the server sent once it closes the socket. */
function closed(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
  });
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

/** POSTs one track call, optionally from another loopback source address. */
function postTrack(url: string, writeKey: string, localAddress = '127.0.0.1'): Promise<{ status: number; retryAfter: string | undefined; body: any }> {
  const body = JSON.stringify({ event: 'Signed Up', userId: 'u1' });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}/v1/track`,
      {
        method: 'POST',
        localAddress,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter, body: JSON.parse(text) });
        });
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

describe('server limits', () => {
  it('disconnects a client that trickles its headers after the headers timeout', async () => {
    const { url } = await start(['--headers-timeout-ms', '400', '--keep-alive-timeout-ms', '100']);
    const socket = await openSocket(url);
    const started = Date.now();
    const done = closed(socket);
    socket.write('POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    const received = await done;
    clearInterval(trickle);
    const livedMs = Date.now() - started;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(livedMs).toBeGreaterThanOrEqual(350);
    expect(livedMs).toBeLessThan(2_000);
  });

  it('closes connections beyond the cap on arrival and keeps serving the others', async () => {
    const { url } = await start(['--max-connections', '2']);
    const first = await openSocket(url);
    await openSocket(url);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await openSocket(url);
    const thirdReceived = closed(third);
    third.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await thirdReceived).toBe('');
    const firstAnswer = new Promise<string>((resolve) => first.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    first.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await firstAnswer).toMatch(/^HTTP\/1\.1 200/);
  });

  it('answers 429 rate_limited with Retry-After once a write key spends its burst, and not for another key', async () => {
    const { url } = await start(['--rate-limit-per-key', '1', '--rate-limit-per-ip', '0']);
    expect((await postTrack(url, KEY_A)).status).toBe(200);
    expect((await postTrack(url, KEY_A)).status).toBe(200);
    const limited = await postTrack(url, KEY_A);
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('1');
    expect(limited.body.error.code).toBe('rate_limited');
    expect((await postTrack(url, KEY_B)).status).toBe(200);
  });

  it('answers 429 with Retry-After once an address spends its burst, and not for another address', async () => {
    const { url } = await start(['--rate-limit-per-ip', '1', '--rate-limit-per-key', '0']);
    expect((await postTrack(url, KEY_A)).status).toBe(200);
    expect((await postTrack(url, KEY_B)).status).toBe(200);
    const limited = await postTrack(url, KEY_A);
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('1');
    expect(limited.body.error).toEqual({
      code: 'rate_limited',
      message: 'more than 1 requests per second from this address; retry after 1 s',
    });
    expect((await postTrack(url, KEY_A, '127.0.0.2')).status).toBe(200);
  });
});
