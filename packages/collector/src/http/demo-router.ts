import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

const WIDGET_DIR = fileURLToPath(new URL('../demo-widget/', import.meta.url));

/**
 * `GET /demo`: a chat page that installs the SDK with the documented inline
 * snippet, like a customer's site. The inline script is allowed by its hash
 * (CSP stays strict: no 'unsafe-inline'). The page is public, so it embeds
 * the demo-only write key, never an operator's key.
 */
export function createDemoRouter(demoWriteKey: string): Router {
  const router = Router();
  const snippet = readFileSync(createRequire(import.meta.url).resolve('@chatmeter/sdk/snippet'), 'utf8')
    .trim()
    .replace(/(["'])https:\/\/YOUR-COLLECTOR\/sdk\/chatmeter\.min\.js\1/, '"/sdk/chatmeter.min.js"');
  const template = readFileSync(`${WIDGET_DIR}index.html`, 'utf8');

  router.get('/demo', (_request, response) => {
    const inline = `${snippet}\nchatmeter.init({ writeKey: ${JSON.stringify(demoWriteKey)}, endpoint: location.origin });`;
    const page = template.replace(/<script>__SNIPPET__[\s\S]*?<\/script>/, `<script>${inline}</script>`);
    const hash = createHash('sha256').update(inline).digest('base64');
    response.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY.replace("script-src 'self'", `script-src 'self' 'sha256-${hash}'`),
      'Cache-Control': 'no-store',
    });
    response.type('html').send(page);
  });
  router.use('/demo', express.static(WIDGET_DIR, { index: false, maxAge: '5m' }));
  return router;
}
