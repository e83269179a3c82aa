import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/**
 * Resolved from this module, so the same code serves `src/dashboard` under
 * vitest and `dist/dashboard` (copied by scripts/copy-assets.mjs) when built.
 */
const DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/', import.meta.url));

// The dashboard's URLs are not versioned, so browsers must revalidate every
// load (the ETag makes that a cheap 304) or a page could run new HTML with
// old modules after an upgrade.
const REVALIDATE = 'no-cache';
// ECharts changes only when the package is upgraded: an hour fresh, then
// served stale while revalidating, keeps reloads instant without pinning an
// old copy for long.
const VENDOR_CACHE = 'public, max-age=3600, stale-while-revalidate=86400';

/**
 * Serves the dashboard: `/dashboard` → index.html, `/dashboard/*` → its
 * static modules and styles, `/vendor/echarts.min.js` → the ECharts bundle
 * from node_modules (no CDN, so the page works offline under `script-src 'self'`).
 * The page itself holds no data: it reads `/v1/metrics/*` with the read key.
 */
export function createDashboardRouter(): Router {
  const router = Router();
  const require = createRequire(import.meta.url);

  router.get(['/dashboard', '/dashboard/index.html'], (_request, response, next) => {
    // The page asks for the read key, so keep it out of search indexes.
    response.set({ 'Cache-Control': REVALIDATE, 'X-Robots-Tag': 'noindex, nofollow' });
    response.sendFile('index.html', { root: DASHBOARD_DIR }, (error) => {
      if (error !== undefined) next(error);
    });
  });

  router.use(
    '/dashboard',
    express.static(DASHBOARD_DIR, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      fallthrough: true,
      setHeaders: (response) => {
        response.setHeader('Cache-Control', REVALIDATE);
      },
    }),
  );

  router.get('/vendor/echarts.min.js', (_request, response, next) => {
    let path: string;
    try {
      path = require.resolve('echarts/dist/echarts.min.js');
    } catch (error) {
      next(error);
      return;
    }
    response.set('Cache-Control', VENDOR_CACHE);
    response.type('application/javascript');
    // `root` matters: pnpm keeps packages under node_modules/.pnpm, and
    // send() refuses dot-directories anywhere in a path it was not rooted at.
    response.sendFile(basename(path), { root: dirname(path) }, (error) => {
      if (error !== undefined) next(error);
    });
  });

  return router;
}
