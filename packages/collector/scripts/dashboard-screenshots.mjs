// Regenerates the README's dashboard screenshots: docs/dashboard.png (1440 px
// desktop) and docs/dashboard-mobile.png (375 px phone), over the demo data
// `start` loads into an empty database (its SDK health reports fill the Data
// delivery tile).
// Build first, then: node packages/collector/scripts/dashboard-screenshots.mjs
// Needs Chromium at /usr/bin/chromium (or CHATMETER_CHROMIUM). Takes about a
// minute on 2 cores, most of it loading the demo data.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadDemoData } from '../dist/demo/load-demo-data.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const WRITE_KEY = 'screenshot_write_key';
const READ_KEY = 'screenshot_read_key';

const directory = mkdtempSync(join(tmpdir(), 'chatmeter-screenshots-'));
const collector = spawn(process.execPath, [CLI, 'start', '--port', '0', '--host', '127.0.0.1', '--db', join(directory, 'chatmeter.db'),
  '--write-key', WRITE_KEY, '--read-key', READ_KEY, '--no-demo-data'], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const url = await listeningUrl(collector);
  await loadDemoData({ url, writeKey: WRITE_KEY, users: 2000, days: 90, seed: 42 });
  const browser = await chromium.launch({ executablePath: process.env.CHATMETER_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    await screenshot(browser, url, { width: 1440, height: 900 }, `${DOCS}dashboard.png`);
    // A phone page is six screens long: the README shows its first two.
    await screenshot(browser, url, { width: 375, height: 812 }, `${DOCS}dashboard-mobile.png`, 1_624);
  } finally {
    await browser.close();
  }
} finally {
  collector.kill('SIGTERM');
  await new Promise((resolve) => collector.once('close', resolve));
  rmSync(directory, { recursive: true, force: true });
}

/** Resolves with the collector's URL once it logs `listening`. */
function listeningUrl(child) {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the collector exited with ${code} before listening`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'listening') resolve(entry.url);
      } catch {
        // not a JSON log line
      }
    });
  });
}

/** The dashboard at this viewport, every panel loaded and its charts' animations over, as a full-page PNG (its top `height` pixels if given). */
async function screenshot(browser, url, viewport, path, height) {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${url}/dashboard`);
  await page.fill('#read-key', READ_KEY);
  await page.click('#key-form button[type="submit"]');
  await page.waitForFunction(() => {
    const panels = [...document.querySelectorAll('[data-panel]')];
    return panels.length > 0 && panels.every((panel) => panel.dataset.state === 'ready');
  }, undefined, { timeout: 60_000 });
  await page.waitForTimeout(1_500);
  await page.screenshot({ path, fullPage: true, ...(height !== undefined && { clip: { x: 0, y: 0, width: viewport.width, height } }) });
  await context.close();
  process.stderr.write(`wrote ${path}\n`);
}
