import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createErrorHandler } from './error-handler.js';
import { createSdkRouter } from './sdk-router.js';

describe('the SDK router', () => {
  let folder: string;
  let server: Server;
  let url: string;

  beforeEach(async () => {
    // Where pnpm puts a dependency: a dot-named folder inside node_modules.
    folder = mkdtempSync(join(tmpdir(), 'chatmeter-sdk-'));
    const dist = join(folder, 'node_modules', '.pnpm', '@chatmeter+sdk@0.1.0', 'node_modules', '@chatmeter', 'sdk', 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'chatmeter.min.js'), 'window.chatmeterBundle = 1;\n');
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
    expect(await response.text()).toBe('window.chatmeterBundle = 1;\n');
  });

  it('serves the snippet when the SDK is installed under a dot-named folder', async () => {
    const response = await fetch(`${url}/sdk/snippet.min.js`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('window.chatmeterSnippet = 1;\n');
  });
});
