import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricParameterError } from '../metrics/metric-parameter-error.js';
import { createErrorHandler } from './error-handler.js';
import { HttpError } from './http-error.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** Answers GET /fail by throwing `error` through the real error handler. */
async function answerFor(error: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const app = express();
  app.get('/fail', () => {
    throw error;
  });
  app.use(createErrorHandler(pino({ level: 'silent' })));
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/fail`);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

describe('the error handler', () => {
  it('answers a library error marked 408 with 408 request_timeout instead of 500', async () => {
    const response = await answerFor(Object.assign(new Error('slow body'), { status: 408 }));
    expect(response.status).toBe(408);
    expect(response.body).toEqual({ error: { code: 'request_timeout', message: 'Request Timeout: slow body' } });
  });

  it('reads statusCode when there is no status', async () => {
    const response = await answerFor(Object.assign(new Error('nope'), { statusCode: 403 }));
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
  });

  it('answers an unlisted 4xx status with client_error', async () => {
    const response = await answerFor(Object.assign(new Error('teapot'), { status: 418 }));
    expect(response.status).toBe(418);
    expect(response.body.error.code).toBe('client_error');
  });

  it('keeps a library error marked 503 a logged 500', async () => {
    const response = await answerFor(Object.assign(new Error('down'), { status: 503 }));
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('internal_error');
  });

  it('sends the headers an HttpError carries', async () => {
    const response = await answerFor(new HttpError(429, 'rate_limited', 'slow down', { headers: { 'Retry-After': '3' } }));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
  });

  it('answers a metric parameter error with 400 invalid_parameter naming the parameter', async () => {
    const response = await answerFor(new MetricParameterError('tz', 'must be an IANA time zone such as UTC'));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'invalid_parameter', message: 'tz: must be an IANA time zone such as UTC' } });
  });
});
