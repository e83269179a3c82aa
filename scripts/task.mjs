#!/usr/bin/env node
// Entry point for the root npm scripts. It needs nothing but Node and npm:
// pnpm itself is fetched from the npm registry with npx (corepack is not
// assumed to work), the workspace is installed, then the task runs.
//
// Install and build print one line each and their full output only when
// they fail (a better-sqlite3 build from source is hundreds of gyp lines).
// Arguments after the task go to the command as they are, so
// `npm start -- --port 19250 --no-demo-data` reaches `chatmeter-collector start`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PNPM = 'pnpm@10.34.8';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = 'packages/collector/dist/cli.js';

/** What each task runs after the install: quiet steps, then the command whose output is the point. */
export function taskPlan(task, rest) {
  switch (task) {
    case 'start':
      return { steps: [['build', ['run', 'build:packages']]], command: { program: process.execPath, args: [CLI, 'start', ...rest] } };
    case 'build':
      return { steps: [['build', ['run', 'build:packages']]], command: null };
    case 'test':
      return { steps: [], command: { program: 'npx', args: ['-y', PNPM, 'run', 'test:packages', ...rest] } };
    case 'bench':
      return { steps: [['build', ['run', 'build:packages']]], command: { program: process.execPath, args: ['bench/run.mjs', ...rest] } };
    default:
      return null;
  }
}

/**
 * pnpm's install arguments. The install runs quietly, its output captured, so
 * pnpm can never ask before it replaces a node_modules made with other
 * settings (a moved checkout, another pnpm version): it would abort with
 * ERR_PNPM_ABORTED_REMOVE_MODULES_DIR_NO_TTY. It replaces it, as in CI.
 */
export function installArgs(env) {
  return ['install', '--config.confirm-modules-purge=false', ...(env.CI ? ['--frozen-lockfile'] : [])];
}

function pnpmQuiet(label, args) {
  const started = Date.now();
  process.stderr.write(`${label}… `);
  const result = spawnSync('npx', ['-y', PNPM, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    shell: process.platform === 'win32',
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.stderr.write('failed\n');
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`done (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

function main([task, ...rest]) {
  const plan = task === undefined ? null : taskPlan(task, rest);
  if (plan === null) {
    console.error('usage: node scripts/task.mjs <start|test|build|bench> [args…]');
    process.exit(2);
  }
  pnpmQuiet('install', installArgs(process.env));
  // CHATMETER_PREBUILT=1: the packages are built already (the test suite runs
  // `npm start` this way, so it never rebuilds the dist/ other tests are reading).
  const steps = process.env.CHATMETER_PREBUILT === '1' ? [] : plan.steps;
  for (const [label, args] of steps) pnpmQuiet(label, args);
  if (plan.command === null) return;
  const result = spawnSync(plan.command.program, plan.command.args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
