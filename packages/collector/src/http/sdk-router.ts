import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Router } from 'express';

export interface SdkRouterOptions {
  /** Finds a file of @chatmeter/sdk on disk; Node's resolution from this module by default. */
  resolveSdkFile?: (specifier: string) => string;
}

type Encoding = 'br' | 'gzip' | 'identity';

interface Representation {
  body: Buffer;
  /** Strong: each encoding is different bytes, so each has its own tag. */
  etag: string;
}

/**
 * Serves the script-tag bundle of @chatmeter/sdk at `/sdk/chatmeter.min.js`
 * (and the snippet), brotli- or gzip-compressed as the browser accepts:
 * 29 KB uncompressed, about a third of that compressed. Both encodings are
 * computed once, at the first request (the files do not change while the
 * collector runs), at the highest levels since that cost is paid once.
 * The URL is not versioned, so caching is short and revalidated by ETag
 * (304 on If-None-Match); any origin may load it (it is a public script).
 */
export function createSdkRouter(options: SdkRouterOptions = {}): Router {
  const router = Router();
  const resolveSdkFile = options.resolveSdkFile ?? createRequire(import.meta.url).resolve;
  const files: Record<string, string> = {
    'chatmeter.min.js': '@chatmeter/sdk/chatmeter.min.js',
    'snippet.min.js': '@chatmeter/sdk/snippet',
  };
  for (const [name, specifier] of Object.entries(files)) {
    let representations: Record<Encoding, Representation> | undefined;
    router.get(`/sdk/${name}`, (request, response) => {
      representations ??= encode(readFileSync(resolveSdkFile(specifier)));
      const encoding = preferredEncoding(request.get('accept-encoding'));
      const { body, etag } = representations[encoding];
      response.set({
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
        'Content-Type': 'application/javascript; charset=utf-8',
        ETag: etag,
        Vary: 'Accept-Encoding',
      });
      if (encoding !== 'identity') response.set('Content-Encoding', encoding);
      if (request.fresh) {
        response.status(304).end();
        return;
      }
      response.set('Content-Length', String(body.length)).end(body);
    });
  }
  return router;
}

/**
 * Brotli when accepted, else gzip, else none. Browsers list `gzip, deflate,
 * br, zstd` with equal weights, and Express's negotiation then keeps their
 * order (gzip first); brotli is ~15% smaller, so it is ours to prefer.
 */
export function preferredEncoding(acceptEncoding: string | undefined): Encoding {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    weights.set(name, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  const accepted = (encoding: string): boolean => (weights.get(encoding) ?? weights.get('*') ?? 0) > 0;
  if (accepted('br')) return 'br';
  if (accepted('gzip')) return 'gzip';
  return 'identity';
}

function encode(raw: Buffer): Record<Encoding, Representation> {
  const hash = createHash('sha256').update(raw).digest('base64url').slice(0, 22);
  return {
    identity: { body: raw, etag: `"${hash}"` },
    gzip: { body: gzipSync(raw, { level: 9 }), etag: `"${hash}-gzip"` },
    br: { body: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }), etag: `"${hash}-br"` },
  };
}
