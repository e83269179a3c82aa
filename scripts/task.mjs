#!/usr/bin/env node
// Entry point for the root npm scripts. It needs nothing but Node and npm:
// pnpm itself is fetched from the npm registry with npx (corepack is not
// assumed to work), the workspace is installed, then the pnpm script runs.
import { spawnSync } from 'node:child_process';

const PNPM = 'pnpm@10.34.8';
const tasks = {
  start: 'start:collector',
  test: 'test:packages',
  build: 'build:packages',
  bench: 'bench:run',
};

const [task, ...rest] = process.argv.slice(2);
const script = task === undefined ? undefined : tasks[task];
if (script === undefined) {
  console.error(`usage: node scripts/task.mjs <${Object.keys(tasks).join('|')}> [args…]`);
  process.exit(2);
}

function pnpm(args) {
  const result = spawnSync('npx', ['-y', PNPM, ...args], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
const installStatus = pnpm(['install', ...frozen]);
if (installStatus !== 0) process.exit(installStatus);
process.exit(pnpm(['run', script, ...(rest.length > 0 ? ['--', ...rest] : [])]));
