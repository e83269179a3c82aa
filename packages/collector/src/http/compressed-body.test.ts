import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WRITE_KEY, startTestApp, type TestApp } from '../../test/support/test-app.js';

const BATCH = JSON.stringify({
  batch: [{ type: 'track', event: 'Signed Up', userId: 'u1', messageId: 'm1', timestamp: '2026-03-10T11:59:00.000Z' }],
});

const COMPRESS: Record<string, (body: string) => Buffer> = {
  gzip: (body) => gzipSync(body),
  deflate: (body) => deflateSync(body),
  br: (body) => brotliCompressSync(body),
};

async function postEncoded(app: TestApp, encoding: string, body: Buffer): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-encoding': encoding,
      authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
    },
    body,
  });
  return { status: response.status, body: await response.json() };
}

describe('compressed request bodies', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  for (const encoding of ['gzip', 'deflate', 'br']) {
    it(`accepts a valid ${encoding} body`, async () => {
      const response = await postEncoded(app, encoding, COMPRESS[encoding]!(BATCH));
      expect(response.status).toBe(200);
    });

    it(`answers 400 invalid_compressed_body for a corrupt ${encoding} body`, async () => {
      const response = await postEncoded(app, encoding, Buffer.from('this was never compressed at all'));
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_compressed_body');
      expect(response.body.error.message).toContain(`Content-Encoding: ${encoding}`);
    });

    it(`answers 400 invalid_compressed_body for a truncated ${encoding} body`, async () => {
      const whole = COMPRESS[encoding]!(BATCH);
      const response = await postEncoded(app, encoding, whole.subarray(0, whole.length - 6));
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_compressed_body');
    });
  }

  it('answers 415 naming the supported encodings for an unknown Content-Encoding', async () => {
    const response = await postEncoded(app, 'compress', Buffer.from(BATCH));
    expect(response.status).toBe(415);
    expect(response.body.error).toEqual({
      code: 'unsupported_encoding',
      message: 'Content-Encoding must be identity, gzip, deflate or br',
    });
  });
});
