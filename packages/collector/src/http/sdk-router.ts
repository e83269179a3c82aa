import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { Router } from 'express';

export interface SdkRouterOptions {
  /** Finds a file of @chatmeter/sdk on disk; Node's resolution from this module by default. */
  resolveSdkFile?: (specifier: string) => string;
}

/**
 * Serves the script-tag bundle of @chatmeter/sdk at `/sdk/chatmeter.min.js`.
 * The URL is not versioned, so caching is short and revalidated by ETag;
 * any origin may load it (it is a public script).
 */
export function createSdkRouter(options: SdkRouterOptions = {}): Router {
  const router = Router();
  const resolveSdkFile = options.resolveSdkFile ?? createRequire(import.meta.url).resolve;
  const files: Record<string, string> = {
    'chatmeter.min.js': '@chatmeter/sdk/chatmeter.min.js',
    'snippet.min.js': '@chatmeter/sdk/snippet',
  };
  for (const [name, specifier] of Object.entries(files)) {
    router.get(`/sdk/${name}`, (_request, response, next) => {
      let path: string;
      try {
        path = resolveSdkFile(specifier);
      } catch (error) {
        next(error);
        return;
      }
      response.set({
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
      });
      response.type('application/javascript');
      // `root` matters: pnpm installs under node_modules/.pnpm (and caches
      // live under ~/.cache), and send() refuses a dot-named folder anywhere
      // in a path it was not rooted at; with a root it checks only the name.
      response.sendFile(basename(path), { root: dirname(path) }, (error) => {
        if (error !== undefined) next(error);
      });
    });
  }
  return router;
}
