import type { Page } from 'playwright-core';

/** How long a dashboard panel may take to load in the browser tests (Chromium on 2 shared cores). */
export const PANEL_TIMEOUT_MS = 30_000;

/** Waits until a dashboard panel has finished loading (whatever it shows). */
export async function waitForPanel(page: Page, name: string, timeoutMs: number = PANEL_TIMEOUT_MS): Promise<void> {
  await page.waitForFunction(
    (panel) => {
      const element = (globalThis as any).document.querySelector(`[data-panel="${panel}"]`);
      return element !== null && element.dataset.state !== 'loading' && element.getAttribute('aria-busy') !== 'true';
    },
    name,
    { timeout: timeoutMs },
  );
}

/** The UTC calendar day of an instant, as the dashboard's date inputs take it. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
