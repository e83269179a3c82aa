// Builds @chatmeter/sdk:
//   dist/*.js + *.d.ts      the npm package (ESM), compiled by tsc
//   dist/chatmeter.min.js   the script-tag bundle (IIFE, ky and idb-keyval inlined)
//   dist/snippet.min.js     the inline loader snippet
// and enforces the size budgets deterministically (min+gzip measured here,
// the same on every machine), failing the build when one is exceeded.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { minify } from 'terser';

/**
 * The script-tag bundle is fetched by every page of the host product, before
 * or beside its own chat code: 10 KiB min+gzip is what an analytics tag can
 * cost without a host noticing it on a slow mobile connection (~0.1 s at
 * 1 Mbit/s). ky and idb-keyval are ~5 KiB of it (measured 2026-12). The
 * budget is measured as servers compress — gzip level 6, the default of
 * nginx, Express's compression and Node — not the smaller level 9; both are
 * printed. Keep at least 512 B of headroom for the features still to come.
 */
const BUNDLE_BUDGET_GZIP_BYTES = 10 * 1024;
const SERVER_GZIP_LEVEL = 6;
/** The inline snippet is pasted into every page's HTML: it must stay tiny. */
const SNIPPET_BUDGET_BYTES = 1024;

const root = new URL('..', import.meta.url);
const path = (relative) => new URL(relative, root).pathname;
const require = createRequire(import.meta.url);

/**
 * ky's upload/download progress helpers (`ky/distribution/utils/body.js`,
 * about 400 B of the min+gzip budget, measured with ky 1.14.3) run only when
 * a request sets `onUploadProgress` or `onDownloadProgress`; the SDK never
 * does (src/transport.ts), so the script-tag bundle gets stand-ins that
 * throw if one ever is. ky itself, its timeouts and errors are untouched.
 * The build fails if ky moves or renames these helpers, so an upgrade cannot
 * silently change what is left out.
 */
const KY_PROGRESS_MODULE = /[\\/]ky[\\/]distribution[\\/]utils[\\/]body\.js$/;
const KY_PROGRESS_EXPORTS = ['getBodySize', 'streamRequest', 'streamResponse'];
let kyProgressLeftOut = false;
const withoutKyProgressStreams = {
  name: 'without-ky-progress-streams',
  setup(build) {
    build.onLoad({ filter: KY_PROGRESS_MODULE }, ({ path: modulePath }) => {
      const exported = [...readFileSync(modulePath, 'utf8').matchAll(/^export (?:const|function) (\w+)/gm)].map((match) => match[1]).sort();
      if (exported.join() !== KY_PROGRESS_EXPORTS.join()) {
        fail(`ky's ${modulePath} now exports ${exported.join(', ')}, not ${KY_PROGRESS_EXPORTS.join(', ')}: review the progress stand-ins in scripts/build.mjs`);
      }
      kyProgressLeftOut = true;
      const unsupported = `() => { throw new Error('chatmeter: no ky progress callbacks here'); }`;
      return { contents: KY_PROGRESS_EXPORTS.map((name) => `export const ${name} = ${unsupported};`).join('\n'), loader: 'js' };
    });
  },
};

/**
 * Parts of ky's core (`ky/distribution/core/Ky.js`) that never run with the
 * only options the SDK passes (src/transport.ts: `retry: 0`,
 * `throwHttpErrors: false`, no hooks, no `searchParams`, no progress
 * callbacks) are replaced by a check that throws if one of those options is
 * ever set: the retry delay and Retry-After logic, the beforeRetry and
 * afterResponse hooks, HTTPError and its beforeError hooks, search
 * parameters. With `retry: 0` ky's own retry step only rethrows the error,
 * which the stand-in does. −1,229 B min+gzip with ky 1.14.3 (10,763 → 9,534 B, 2026-12).
 * Each span is found by its first line and the line after it and checked
 * by its SHA-256, so the build fails if ky's code there changes at all.
 */
const KY_CORE_MODULE = /[\\/]ky[\\/]distribution[\\/]core[\\/]Ky\.js$/;
const KY_OPTION_OFF = `throw new Error('chatmeter: this ky option is not in the script-tag bundle')`;
const KY_CORE_STAND_INS = [
  {
    from: '            for (const hook of ky.#options.hooks.afterResponse) {',
    to: '            ky.#decorateResponse(response);',
    sha256: '1808e0ff9ab8ea9b',
    standIn: `            if (ky.#options.hooks.afterResponse.length > 0) ${KY_OPTION_OFF};\n`,
  },
  {
    from: '            if (!response.ok && (typeof ky.#options.throwHttpErrors',
    to: '            return response;\n        };',
    sha256: 'b1860007a5254b05',
    standIn: `            if (ky.#options.throwHttpErrors !== false || ky.#options.onDownloadProgress) ${KY_OPTION_OFF};\n`,
  },
  { from: '    static #normalizeSearchParams(searchParams) {', to: '    request;', sha256: 'dce6edec5634f123', standIn: '' },
  {
    from: '        if (hasSearchParameters(this.#options.searchParams)) {',
    to: '    #calculateDelay() {',
    sha256: '00faffe36cc7ad2a',
    standIn: `        if (this.#options.searchParams !== undefined || this.#options.onUploadProgress) ${KY_OPTION_OFF};\n    }\n`,
  },
  { from: '    #calculateDelay() {', to: '    #decorateResponse(response) {', sha256: '037490a61615937a', standIn: '' },
  {
    from: '            const ms = Math.min(await this.#calculateRetryDelay(error), maxSafeTimeout);',
    to: '    async #fetch() {',
    sha256: 'cdd61beb7830bd6f',
    standIn: `            if (this.#options.retry.limit !== 0) ${KY_OPTION_OFF};\n            throw error;\n        }\n    }\n`,
  },
];
let kyCoreTrimmed = false;
const withoutUnusedKyOptions = {
  name: 'without-unused-ky-options',
  setup(build) {
    build.onLoad({ filter: KY_CORE_MODULE }, ({ path: modulePath }) => {
      let contents = readFileSync(modulePath, 'utf8');
      for (const { from, to, sha256, standIn } of KY_CORE_STAND_INS) {
        const start = contents.indexOf(from);
        const end = contents.indexOf(to, start + 1);
        const found = start === -1 || contents.indexOf(from, start + 1) !== -1 || end === -1 ? undefined : contents.slice(start, end);
        if (found === undefined || createHash('sha256').update(found).digest('hex').slice(0, 16) !== sha256) {
          fail(`ky's ${modulePath} changed where the SDK leaves out unused options (the span from "${from.trim()}"): review KY_CORE_STAND_INS in scripts/build.mjs`);
        }
        contents = contents.slice(0, start) + standIn + contents.slice(end);
      }
      kyCoreTrimmed = true;
      return { contents, loader: 'js' };
    });
  },
};

// Everything is built beside dist/ and swapped in at once, so whatever reads
// dist/ meanwhile (another package's tests, a running collector) never finds
// it half-written or missing.
// At dist/'s own depth, so the source maps' relative paths stay right after the swap.
const OUT = path(`.dist-${process.pid}/`);
const out = (name) => OUT + name;
rmSync(OUT, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path('tsconfig.build.json'), '--outDir', OUT], { stdio: 'inherit' });

const bundle = await build({
  entryPoints: [path('src/browser.ts')],
  outfile: out('chatmeter.min.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [withoutKyProgressStreams, withoutUnusedKyOptions],
});
// esbuild bundles and minifies; terser then compresses what esbuild's
// single pass leaves (inlining, dead branches, shorter sequences): −500 B
// min+gzip on this bundle (2026-12). Only safe options: no `unsafe*`, no
// `pure_getters` (Identity's getters write a new anonymous id).
//
// Property names that never cross the bundle's boundary (not the public
// API, not options a page passes, not wire fields, not stored JSON, not DOM
// or ky names) are mangled too. Add a name only when it is read and written
// by this bundle alone, never through a string: `anonymousId` is a wire
// field, and the health counts (`queued`, `sent`, …) were read by name, so
// mangling them sent messages without `anonymousId` and health reports with
// mangled keys (test/script-tag-bundle.test.ts runs the built bundle).
const BUNDLE_PRIVATE_PROPERTIES = [
  'touch', 'nextPrompt', 'lastPrompt', 'persist', 'peek', 'setOptedOut', 'optedOut', 'persistent', 'dropped',
  'retryAfterMs', 'kind', 'enqueue', 'hidden', 'online', 'health',
];
const terser = await minify(readFileSync(out('chatmeter.min.js'), 'utf8'), {
  ecma: 2022,
  toplevel: true,
  compress: { passes: 2 },
  mangle: { properties: { regex: new RegExp(`^(${BUNDLE_PRIVATE_PROPERTIES.join('|')})$`) } },
  format: { comments: false },
});
writeFileSync(out('chatmeter.min.js'), terser.code);
if (!kyCoreTrimmed) fail(`ky's core (ky/distribution/core/Ky.js) was not in the bundle: review KY_CORE_STAND_INS in scripts/build.mjs`);
if (!kyProgressLeftOut) fail(`ky's progress helpers (ky/distribution/utils/body.js) were not in the bundle: review the progress stand-ins in scripts/build.mjs`);
const bundled = Object.entries(Object.values(bundle.metafile.outputs)[0].inputs)
  .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
  .map(([name]) => name);
const zod = bundled.filter((input) => input.includes('/zod/'));
if (zod.length > 0) fail(`zod must not be in the browser bundle (it is for the collector); pulled in: ${zod.join(', ')}. Import protocol *types* only.`);

const snippet = await transform(readFileSync(path('src/snippet.js'), 'utf8'), { minify: true, target: 'es5', legalComments: 'none' });
writeFileSync(out('snippet.min.js'), snippet.code);
// Published before the budget checks: a bundle over budget is still there to inspect (and test).
rmSync(path('dist'), { recursive: true, force: true });
renameSync(OUT, path('dist'));

const bundleBytes = readFileSync(path('dist/chatmeter.min.js'));
const gzipBytes = gzipSync(bundleBytes, { level: SERVER_GZIP_LEVEL }).length;
const gzip9Bytes = gzipSync(bundleBytes, { level: 9 }).length;
const snippetBytes = Buffer.byteLength(snippet.code);
console.log(
  `chatmeter.min.js: ${bundleBytes.length} B minified, ${gzipBytes} B min+gzip -${SERVER_GZIP_LEVEL} (budget ${BUNDLE_BUDGET_GZIP_BYTES} B, headroom ${BUNDLE_BUDGET_GZIP_BYTES - gzipBytes} B), ${gzip9Bytes} B min+gzip -9`,
);
console.log(`snippet.min.js: ${snippetBytes} B (budget ${SNIPPET_BUDGET_BYTES} B)`);
console.log('largest contributors (minified by esbuild, before terser):');
for (const [name, size] of largestInputs(bundle.metafile)) console.log(`  ${String(size).padStart(6)} B  ${name}`);
if (gzipBytes > BUNDLE_BUDGET_GZIP_BYTES) fail(`chatmeter.min.js is ${gzipBytes} B min+gzip -${SERVER_GZIP_LEVEL}, over the ${BUNDLE_BUDGET_GZIP_BYTES} B budget`);
if (snippetBytes > SNIPPET_BUDGET_BYTES) fail(`snippet.min.js is ${snippetBytes} B, over the ${SNIPPET_BUDGET_BYTES} B budget`);

function largestInputs(metafile) {
  const output = Object.values(metafile.outputs)[0];
  return Object.entries(output.inputs)
    .map(([name, { bytesInOutput }]) => [name, bytesInOutput])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
}

function fail(message) {
  rmSync(OUT, { recursive: true, force: true });
  console.error(`@chatmeter/sdk build: ${message}`);
  process.exit(1);
}
