import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createErrorHandler } from './error-handler.js';
import { createSdkRouter, preferredEncoding } from './sdk-router.js';

/** A script long enough for compression to matter, like the real bundle. */
const BUNDLE = `window.chatmeterBundle = 1;\n${'function track(event) { return queue.push(event); }\n'.repeat(200)}`;

/** A raw GET (fetch would decompress behind our back). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the SDK router', () => {
  let folder: string;
  let server: Server;
  let url: string;

  beforeEach(async () => {
    // Where pnpm puts a dependency: a dot-named folder inside node_modules.
    folder = mkdtempSync(join(tmpdir(), 'chatmeter-sdk-'));
    const dist = join(folder, 'node_modules', '.pnpm', '@chatmeter+sdk@0.1.0', 'node_modules', '@chatmeter', 'sdk', 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'chatmeter.min.js'), BUNDLE);
    writeFileSync(join(dist, 'snippet.min.js'), 'window.chatmeterSnippet = 1;\n');
    const files: Record<string, string> = {
      '@chatmeter/sdk/chatmeter.min.js': join(dist, 'chatmeter.min.js'),
      '@chatmeter/sdk/snippet': join(dist, 'snippet.min.js'),
    };
    const app = express();
    app.use(createSdkRouter({ resolveSdkFile: (specifier) => files[specifier]! }));
    app.use(createErrorHandler(pino({ level: 'silent' })));
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('serves the bundle when the SDK is installed under a dot-named folder', async () => {
    const response = await fetch(`${url}/sdk/chatmeter.min.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(await response.text()).toBe(BUNDLE);
  });

  it('serves the snippet when the SDK is installed under a dot-named folder', async () => {
    const response = await fetch(`${url}/sdk/snippet.min.js`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('window.chatmeterSnippet = 1;\n');
  });

  it('sends brotli to a browser that accepts it, with Vary: Accept-Encoding and a strong ETag', async () => {
    const response = await get(`${url}/sdk/chatmeter.min.js`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['vary']).toBe('Accept-Encoding');
    expect(response.headers['etag']).toMatch(/^"[\w-]+-br"$/);
    expect(Number(response.headers['content-length'])).toBe(response.body.length);
    expect(response.body.length).toBeLessThan(BUNDLE.length / 10);
    expect(brotliDecompressSync(response.body).toString()).toBe(BUNDLE);
  });

  it('sends gzip to a client that accepts only gzip', async () => {
    const response = await get(`${url}/sdk/chatmeter.min.js`, { 'accept-encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['etag']).toMatch(/^"[\w-]+-gzip"$/);
    expect(gunzipSync(response.body).toString()).toBe(BUNDLE);
  });

  it('sends the file as it is when no encoding is accepted, under a tag of its own', async () => {
    const plain = await get(`${url}/sdk/chatmeter.min.js`);
    const gzip = await get(`${url}/sdk/chatmeter.min.js`, { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(BUNDLE);
    expect(plain.headers['etag']).toMatch(/^"[\w-]+"$/);
    expect(plain.headers['etag']).not.toBe(gzip.headers['etag']);
  });

  it('answers 304 without a body when If-None-Match names the current representation', async () => {
    const first = await get(`${url}/sdk/chatmeter.min.js`, { 'accept-encoding': 'br' });
    const again = await get(`${url}/sdk/chatmeter.min.js`, { 'accept-encoding': 'br', 'if-none-match': first.headers['etag']! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['etag']).toBe(first.headers['etag']);
    expect(again.headers['vary']).toBe('Accept-Encoding');
    const stale = await get(`${url}/sdk/chatmeter.min.js`, { 'accept-encoding': 'br', 'if-none-match': '"an-older-build-br"' });
    expect(stale.status).toBe(200);
  });
});

describe('preferredEncoding', () => {
  it('prefers brotli over gzip when a browser lists both with equal weight', () => {
    expect(preferredEncoding('gzip, deflate, br, zstd')).toBe('br');
  });

  it('honours q-values, including q=0 as a refusal', () => {
    expect(preferredEncoding('br;q=0, gzip;q=0.8')).toBe('gzip');
    expect(preferredEncoding('*;q=0.5')).toBe('br');
    expect(preferredEncoding('deflate')).toBe('identity');
    expect(preferredEncoding(undefined)).toBe('identity');
  });
});
