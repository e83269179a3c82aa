import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './chromium.js';
import { startTestApp, type TestApp } from './test-app.js';

export interface BrowserSuite {
  readonly app: TestApp;
  readonly browser: Browser;
}

/** The real collector app and one Chromium for the enclosing `describe`, stopped after it. */
export function useAppAndBrowser(): BrowserSuite {
  const suite = {} as { app: TestApp; browser: Browser };
  beforeAll(async () => {
    suite.app = await startTestApp();
    suite.browser = await launchChromium();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.app?.close();
  });
  return suite;
}
