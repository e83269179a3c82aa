import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useAppAndBrowser } from '../support/browser-suite.js';
import { chromiumAvailable } from '../support/chromium.js';
import { READ_KEY } from '../support/test-app.js';

const DAY_MS = 86_400_000;
const PANEL_TIMEOUT_MS = 20_000;

// Functions passed to page.evaluate run in the page, which the test
// tsconfig (no DOM lib) reaches through an untyped `globalThis`.

/**
 * Three users first seen five days ago (UTC noon): newsletter (utm source, plan
 * pro) and direct (no touch, plan pro) come back the next day; google.com
 * (an outside referrer, plan free) does not.
 */
function seedEvents(now: number) {
  const day0 = Math.floor(now / DAY_MS) * DAY_MS - 5 * DAY_MS + 12 * 3_600_000;
  let sequence = 0;
  const prompt = (userId: string, at: number, context: Record<string, unknown> = {}) => ({
    type: 'track', event: 'ai_user_prompt_created', userId, messageId: `breakdown-${(sequence += 1)}`, timestamp: new Date(at).toISOString(),
    properties: { conversation_id: `c-${userId}-${sequence}`, prompt_number: 1 }, context: { sessionId: `s-${userId}-${sequence}`, ...context },
  });
  const identify = (userId: string, plan: string) => ({ type: 'identify', userId, messageId: `identify-${userId}`, timestamp: new Date(day0).toISOString(), traits: { plan } });
  return [
    identify('newsletter-user', 'pro'),
    identify('google-user', 'free'),
    identify('direct-user', 'pro'),
    prompt('newsletter-user', day0, { campaign: { source: 'Newsletter', medium: 'email' } }),
    prompt('newsletter-user', day0 + DAY_MS),
    prompt('google-user', day0, { page: { url: 'https://chat.example/', referrer: 'https://www.google.com/search' } }),
    prompt('direct-user', day0),
    prompt('direct-user', day0 + DAY_MS),
  ];
}

describe.skipIf(!chromiumAvailable())('the retention breakdown selector in a real browser', () => {
  const suite = useAppAndBrowser();

  /** The heatmap's row labels and its D1 cells once the panel shows the given breakdown. */
  async function retentionRows(page: Page, breakdown: string): Promise<{ rows: string[]; day1: (number | string)[] }> {
    await page.waitForFunction(
      (expected) => {
        const panel = (globalThis as any).document.querySelector('[data-panel="retention"]');
        return panel?.dataset.state === 'ready' && (panel.dataset.breakdown ?? '') === expected;
      },
      breakdown,
      { timeout: PANEL_TIMEOUT_MS },
    );
    return page.evaluate(() => {
      const scope = globalThis as any;
      const option = scope.echarts.getInstanceByDom(scope.document.querySelector('[data-panel="retention"] [data-slot="chart"]')).getOption();
      const cells = option.series[0].data as [number, number, number | string][];
      return { rows: option.yAxis[0].data as string[], day1: cells.filter((cell) => cell[0] === 0).map((cell) => cell[2]) };
    });
  }

  it('shows one retention row per channel, per plan and per typed trait, and back to cohorts with None', async () => {
    const seeded = await suite.app.post('/v1/batch', { batch: seedEvents(Date.now()), sentAt: new Date().toISOString() });
    expect(seeded.status).toBe(200);
    expect(seeded.body.rejected).toEqual([]);
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    try {
      await page.goto(`${suite.app.url}/dashboard?tz=UTC`);
      await page.locator('#key-form').waitFor({ state: 'visible' });
      await page.fill('#read-key', READ_KEY);
      await page.click('#key-form button[type="submit"]');

      const cohorts = await retentionRows(page, '');
      expect(cohorts.rows[cohorts.rows.length - 1]).toBe('All cohorts  (3)');

      const select = page.locator('[data-panel="retention"] [data-control="breakdown"]');
      await select.selectOption('channel');
      expect(await retentionRows(page, 'channel')).toEqual({
        rows: ['direct  (1)', 'google.com  (1)', 'newsletter  (1)'],
        day1: [100, 0, 100],
      });

      await select.selectOption('trait:plan');
      expect(await retentionRows(page, 'trait:plan')).toEqual({ rows: ['pro  (2)', 'free  (1)'], day1: [100, 0] });

      const traitName = page.locator('[data-panel="retention"] [data-control="breakdown-trait"]');
      expect(await traitName.isHidden()).toBe(true);
      await select.selectOption('trait');
      expect(await traitName.isVisible()).toBe(true);
      await traitName.fill('company_size');
      await traitName.press('Enter');
      await traitName.dispatchEvent('change');
      expect(await retentionRows(page, 'trait:company_size')).toEqual({ rows: ['(none)  (3)'], day1: [66.7] });

      await select.selectOption('');
      const again = await retentionRows(page, '');
      expect(again.rows[again.rows.length - 1]).toBe('All cohorts  (3)');
      expect(consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
