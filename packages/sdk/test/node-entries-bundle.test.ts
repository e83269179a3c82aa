// @vitest-environment node
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** Every source file and package esbuild puts into a bundle of `entry` with bytes in the output. */
async function bundledInputs(entry: string, platform: 'browser' | 'neutral'): Promise<string[]> {
  const result = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    write: false,
    metafile: true,
    format: platform === 'browser' ? 'iife' : 'esm',
    platform,
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs).flatMap((output) => Object.keys(output.inputs));
}

// The server-side wrappers read provider answers and use Node's clock; they must never reach a page.
describe('the server-side entries stay out of the browser', () => {
  it('leaves src/node, openai and ai out of the script-tag bundle', async () => {
    const inputs = await bundledInputs('../src/browser.ts', 'browser');
    expect(inputs.some((input) => input.includes('src/browser.ts'))).toBe(true);
    expect(inputs.filter((input) => /src\/node\/|node_modules\/(\.pnpm\/)?(openai|ai|@ai-sdk)/.test(input))).toEqual([]);
  });

  it('leaves src/node out of the main ESM entry', async () => {
    const inputs = await bundledInputs('../src/index.ts', 'neutral');
    expect(inputs.some((input) => input.includes('src/client.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('src/node/'))).toEqual([]);
  });
});
