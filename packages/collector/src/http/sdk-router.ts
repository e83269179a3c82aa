import { createRequire } from 'node:module';
import { Router } from 'express';

/**
 * Serves the script-tag bundle of @chatmeter/sdk at `/sdk/chatmeter.min.js`.
 * The URL is not versioned, so caching is short and revalidated by ETag;
 * any origin may load it (it is a public script).
 */
export function createSdkRouter(): Router {
  const router = Router();
  const require = createRequire(import.meta.url);
  const files: Record<string, string> = {
    'chatmeter.min.js': '@chatmeter/sdk/chatmeter.min.js',
    'snippet.min.js': '@chatmeter/sdk/snippet',
  };
  for (const [name, specifier] of Object.entries(files)) {
    router.get(`/sdk/${name}`, (_request, response, next) => {
      let path: string;
      try {
        path = require.resolve(specifier);
      } catch (error) {
        next(error);
        return;
      }
      response.set({
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
      });
      response.type('application/javascript');
      response.sendFile(path);
    });
  }
  return router;
}
