import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector } from './support/start-collector.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGE_MANAGER = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { packageManager: string }).packageManager;

// Everything a first visit loads; each must answer 200 from an npm install.
const PATHS_SERVED = [
  '/sdk/chatmeter.min.js',
  '/sdk/snippet.min.js',
  '/dashboard',
  '/dashboard/dashboard.js',
  '/vendor/echarts.min.js',
  '/demo',
  '/demo/demo.js',
];

// npm compiles better-sqlite3 from source when no prebuilt binary can be
// fetched: about 90 s on an idle 2-core machine, several minutes on a busy one.
const INSTALL_TIMEOUT_MS = 8 * 60_000;

/**
 * Packs both packages as they would be published (run `pnpm build` first)
 * and installs them with npm into an empty project under a dot-named folder,
 * like `~/.cache/…` or pnpm's `node_modules/.pnpm/…`.
 */
describe('the packed collector installed with npm', () => {
  let workspace: string;
  let collector: StartedCollector | undefined;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'chatmeter-pack-'));
    const tarballs = join(workspace, 'tarballs');
    mkdirSync(tarballs);
    for (const name of ['sdk', 'collector']) {
      // `pnpm pack` rewrites the collector's `workspace:*` dependency on the SDK to its version.
      await run('npx', ['-y', PACKAGE_MANAGER, 'pack', '--pack-destination', tarballs], { cwd: join(REPO, 'packages', name) });
    }
    const [sdkTarball, collectorTarball] = ['chatmeter-sdk-', 'chatmeter-collector-'].map((prefix) =>
      join(tarballs, readdirSync(tarballs).find((file) => file.startsWith(prefix))!),
    );
    const project = join(workspace, '.cache', 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'chatmeter-install-check',
        private: true,
        dependencies: { '@chatmeter/sdk': `file:${sdkTarball}`, '@chatmeter/collector': `file:${collectorTarball}` },
        // The collector asks for @chatmeter/sdk by version; take the local tarball, never the registry.
        overrides: { '@chatmeter/sdk': '$@chatmeter/sdk' },
      }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, timeout: INSTALL_TIMEOUT_MS });
    collector = await startCollector({ command: [join(project, 'node_modules', '.bin', 'chatmeter-collector')], dbPath: join(project, 'chatmeter.db') });
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await collector?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  for (const path of PATHS_SERVED) {
    it(`answers 200 for ${path}`, async () => {
      const response = await fetch(collector!.url + path);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    });
  }
});
