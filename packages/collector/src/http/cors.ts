import type { RequestHandler } from 'express';

/**
 * CORS for browser SDKs and dashboards on other origins. With no allowlist,
 * any origin may send events (write keys are public in browsers anyway, as
 * with Segment); reads are same-origin unless the origin is listed.
 */
export function createCors(allowedOrigins: readonly string[], options: { anyOriginWhenUnset: boolean }): RequestHandler {
  const allowAll = allowedOrigins.includes('*') || (allowedOrigins.length === 0 && options.anyOriginWhenUnset);
  return (request, response, next) => {
    const origin = request.get('origin');
    response.vary('Origin');
    if (origin !== undefined && (allowAll || allowedOrigins.includes(origin))) {
      response.set('Access-Control-Allow-Origin', origin);
      response.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      response.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      response.set('Access-Control-Max-Age', '86400');
      // Not a safelisted response header: without this a browser client could not honour a 429's wait.
      response.set('Access-Control-Expose-Headers', 'Retry-After');
    }
    if (request.method === 'OPTIONS') {
      response.status(204).end();
      return;
    }
    next();
  };
}
