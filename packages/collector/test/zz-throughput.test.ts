import { it } from 'vitest';
import { loadDemoData } from '../src/demo/load-demo-data.js';
import { createProgressReporter } from '../src/demo/progress.js';
import { startTestApp, WRITE_KEY } from './support/test-app.js';
it('throughput', async () => {
  const app = await startTestApp();
  const progress = createProgressReporter({ stream: { write: (s: string) => process.stdout.write(s), isTTY: false } });
  const t0 = performance.now();
  const r = await loadDemoData({ url: app.url, writeKey: WRITE_KEY, users: 2000, days: 90, seed: 42, onProgress: (p) => progress.update(p.sent, p.total) });
  progress.finish();
  const rows = (app.store.db.prepare('SELECT COUNT(*) c FROM events').get() as any).c;
  console.log('RESULT', r, 'rows', rows, 'wall', ((performance.now() - t0) / 1000).toFixed(1));
  await app.close();
}, 300_000);
