import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEV_SET_PATH as DEV_SET, devSetAvailable } from './support/dev-set.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** What the built-in classifier reaches on the shared dev set (deterministic); a drop is a regression. */
const DEV_ACCURACY_FLOOR = 89.0;

describe('chatmeter-collector intents', () => {
  it.runIf(devSetAvailable())('eval on the shared dev set reports accuracy, per-intent precision/recall and a confusion matrix', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'intents', 'eval', '--file', DEV_SET]);
    const accuracy = Number(/Accuracy: ([\d.]+)%/.exec(stdout)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(DEV_ACCURACY_FLOOR);
    expect(stdout).toMatch(/precision\s+recall/);
    expect(stdout).toMatch(/support_returns/);
    expect(stdout).toMatch(/Confusion matrix/i);
  });

  it('classify writes one {text, intent} line per input line', async () => {
    const child = execFile(process.execPath, [CLI, 'intents', 'classify']);
    child.stdin!.end('{"text":"where is my parcel"}\nI forgot my password\n\n');
    const output = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}`))));
    });
    expect(output.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { text: 'where is my parcel', intent: 'support_shipping' },
      { text: 'I forgot my password', intent: 'account_management' },
    ]);
  });

  it('a bad labelled file fails with the line number', async () => {
    const error = await run(process.execPath, [CLI, 'intents', 'eval', '--file', fileURLToPath(new URL('../package.json', import.meta.url))]).catch(
      (failure: { code: number; stderr: string }) => failure,
    );
    expect(error).toMatchObject({ code: 2 });
    expect((error as { stderr: string }).stderr).toMatch(/line 1/);
  });
});
