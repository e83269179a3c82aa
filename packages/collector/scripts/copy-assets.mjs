// Copies non-TypeScript assets (dashboard and demo pages, default taxonomy) next to
// the compiled JavaScript so dist/ is self-contained.
import { cpSync, existsSync } from 'node:fs';

const assets = ['dashboard', 'demo-widget', 'intent/default-taxonomy.json'];
for (const asset of assets) {
  const from = new URL(`../src/${asset}`, import.meta.url);
  if (!existsSync(from)) continue;
  cpSync(from, new URL(`../dist/${asset}`, import.meta.url), {
    recursive: true,
    filter: (path) => !path.endsWith('.ts') || path.endsWith('.d.ts'),
  });
}
