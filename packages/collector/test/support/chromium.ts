import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium; CI installs it with apt (no browser downloads). */
export const CHROMIUM_PATH = process.env['CHATMETER_CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Whether the browser suites can run. In CI a missing Chromium is a failure
 * (the suite must not silently pass); locally the suites are skipped with a
 * loud warning so a developer without Chromium still runs everything else.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `Chromium not found at ${CHROMIUM_PATH}: browser tests cannot run. Install it with "apt-get install -y chromium" or set CHATMETER_CHROMIUM.`;
  if (process.env['CI']) throw new Error(message);
  console.warn(`\n\n!!! ${message}\n!!! SKIPPING the real-browser suites.\n\n`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });
}
