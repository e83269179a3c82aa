// Benchmark 3 — SDK size: what a page downloads. Gzip at level 6, as servers
// compress and as the SDK build's budget check measures it; level 9 and
// brotli for reference. Then its main-thread cost in Chromium.
import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { runSdkMainThreadBenchmark } from './sdk-main-thread.mjs';
import { heading, table } from './stats.mjs';

const DIST = new URL('../packages/sdk/dist/', import.meta.url);
/** The SDK build's budgets (packages/sdk/scripts/build.mjs). */
const BUNDLE_BUDGET_GZIP_BYTES = 10 * 1024;
const SNIPPET_BUDGET_BYTES = 1024;

export async function runSdkBenchmark() {
  heading('SDK size');
  const sizes = (name) => {
    const url = new URL(name, DIST);
    if (!existsSync(url)) throw new Error(`${url.pathname} is missing: build the SDK first (pnpm run build:packages)`);
    const bytes = readFileSync(url);
    return {
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 6 }).length,
      gzip9: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  };
  const bundle = sizes('chatmeter.min.js');
  const snippet = sizes('snippet.min.js');
  console.log(
    table(
      ['file', 'minified', 'gzip -6', 'gzip -9', 'brotli 11', 'budget'],
      [
        ['chatmeter.min.js', `${bundle.raw} B`, `${bundle.gzip} B`, `${bundle.gzip9} B`, `${bundle.brotli} B`, `${BUNDLE_BUDGET_GZIP_BYTES} B gzip ${bundle.gzip <= BUNDLE_BUDGET_GZIP_BYTES ? '✓' : '✗'}`],
        ['snippet.min.js', `${snippet.raw} B`, `${snippet.gzip} B`, `${snippet.gzip9} B`, `${snippet.brotli} B`, `${SNIPPET_BUDGET_BYTES} B raw ${snippet.raw <= SNIPPET_BUDGET_BYTES ? '✓' : '✗'}`],
      ],
      ['l', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  const mainThread = await runSdkMainThreadBenchmark();
  return { bundle, snippet, mainThread };
}
