import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The ES module build of tsx's API. Resolved through tsx's package.json
 * because the test runner's transform provides no import.meta.resolve, and
 * require() finds the CommonJS build, whose register() fails in an eval'd worker.
 */
function tsxEsmApi(): URL {
  const packageJsonPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const entry = manifest.exports['./esm/api']?.import.default;
  if (entry === undefined) throw new Error(`tsx at ${packageJsonPath} has no ./esm/api export; a worker thread cannot load TypeScript sources`);
  return new URL(entry, pathToFileURL(packageJsonPath));
}

/** `.js` in the built package; `.ts` when the sources run directly (the test runner). */
export function moduleExtension(): string {
  return import.meta.url.endsWith('.ts') ? '.ts' : '.js';
}

/**
 * Starts a worker on an ES module. Sources run by the test runner are
 * TypeScript, which a plain worker cannot load: it registers tsx first.
 */
export function startWorkerModule(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const bootstrap = `import(${JSON.stringify(tsxEsmApi().href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
