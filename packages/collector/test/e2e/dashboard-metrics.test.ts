import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/load-demo-data.js';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { READ_KEY, startTestApp, WRITE_KEY, type TestApp } from '../support/test-app.js';
import { PANEL_TIMEOUT_MS, isoDay, waitForPanel } from '../support/dashboard-page.js';

const DAY_MS = 86_400_000;

// Functions passed to page.evaluate run in the page, which the test
// tsconfig (no DOM lib) reaches through an untyped `globalThis`.

describe.skipIf(!chromiumAvailable())('the dashboard says exactly what each number is (90 days of demo data)', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp();
    await loadDemoData({ url: app.url, writeKey: WRITE_KEY, users: 120, days: 90 });
    // One debug-mode prompt today from a user seen nowhere else: only the debug toggle counts it.
    const now = Date.now();
    const response = await app.post('/v1/batch', {
      sentAt: new Date(now).toISOString(),
      batch: [{
        type: 'track', event: 'ai_user_prompt_created', userId: 'debug-only-user', messageId: 'debug-prompt-1', timestamp: new Date(now - 60_000).toISOString(),
        properties: { conversation_id: 'c-debug', prompt_number: 1, debug_mode: true }, context: { sessionId: 's-debug' },
      }, {
        // A crawler and a member of the team: only their toggles count them.
        type: 'track', event: 'ai_user_prompt_created', userId: 'crawler-user', messageId: 'bot-prompt-1', timestamp: new Date(now - 60_000).toISOString(),
        properties: { conversation_id: 'c-bot', prompt_number: 1 },
        context: { sessionId: 's-bot', userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)' },
      }, {
        type: 'identify', userId: 'staff-user', messageId: 'staff-identify', traits: { internal: true }, timestamp: new Date(now - 120_000).toISOString(),
      }, {
        type: 'track', event: 'ai_user_prompt_created', userId: 'staff-user', messageId: 'staff-prompt-1', timestamp: new Date(now - 60_000).toISOString(),
        properties: { conversation_id: 'c-staff', prompt_number: 1 }, context: { sessionId: 's-staff' },
      }],
    });
    expect(response.status).toBe(200);
    expect(response.body.rejected).toEqual([]);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function openDashboard(search = ''): Promise<{ page: Page; close: () => Promise<void>; consoleErrors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${app.url}/dashboard${search}`);
    await page.locator('#key-form').waitFor({ state: 'visible' });
    await page.fill('#read-key', READ_KEY);
    await page.click('#key-form button[type="submit"]');
    await waitForPanel(page, 'kpis');
    return { page, close: () => context.close(), consoleErrors };
  }

  async function report(query: string): Promise<any> {
    const response = await app.get(`/v1/metrics/report?${query}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  it('shows D30 retention on the default 30-day range, from cohorts before the range', async () => {
    const { page, close, consoleErrors } = await openDashboard();
    try {
      const to = await page.inputValue('#to');
      const from = await page.inputValue('#from');
      const api = await report(`from=${from}&to=${to}&tz=UTC`);
      expect(api.retention.d30).not.toBeNull();
      const tile = page.locator('[data-kpi="d30"]');
      expect(Number(await tile.getAttribute('data-value'))).toBe(api.retention.d30);
      await expect(tile.locator('.kpi-value').textContent()).resolves.not.toBe('–');
      await expect(tile.locator('.kpi-value').textContent()).resolves.toMatch(/^\d+(\.\d)?%$/);
      expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('explains an empty D30 tile by the cohorts it needs', async () => {
    // The demo data starts 90 days ago: 100 days ago there was nobody to follow.
    const from = isoDay(Date.now() - 100 * DAY_MS);
    const to = isoDay(Date.now() - 95 * DAY_MS);
    const { page, close } = await openDashboard(`?from=${from}&to=${to}&tz=UTC`);
    try {
      const tile = page.locator('[data-kpi="d30"]');
      await expect(tile.locator('.kpi-value').textContent()).resolves.toBe('–');
      await expect(tile.locator('.kpi-ref').textContent()).resolves.toBe(
        `No users first seen ${isoDay(Date.now() - 130 * DAY_MS)} – ${isoDay(Date.now() - 125 * DAY_MS)}: needs cohorts from 30 days before the range`,
      );
    } finally {
      await close();
    }
  });

  it('labels messages, prompts and single-prompt sessions as the API defines them', async () => {
    const { page, close } = await openDashboard();
    try {
      await waitForPanel(page, 'engagement');
      const to = await page.inputValue('#to');
      const from = await page.inputValue('#from');
      const sessions = (await app.get(`/v1/metrics/sessions?from=${from}&to=${to}&tz=UTC`)).body;
      const stats = await page.evaluate(() =>
        Object.fromEntries(
          [...(globalThis as any).document.querySelectorAll('[data-panel="engagement"] [data-stat]')].map((stat: any) => [
            stat.dataset.stat as string,
            [stat.querySelector('dt').textContent as string, stat.querySelector('dd').textContent as string],
          ]),
        ),
      );
      const two = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
      expect(stats['avg-messages']).toEqual(['Messages per session', two.format(sessions.avg_messages)]);
      expect(stats['avg-prompts']).toEqual(['Prompts per session', two.format(sessions.avg_prompts)]);
      // Formatted as the dashboard does: toFixed rounds the double's exact binary value, Intl its shortest
      // decimal, so a share of 0.2595 is "25.9" to one and "26.0" to the other.
      const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      expect(stats['single-prompt-share']).toEqual(['Single-prompt sessions', `${one.format(sessions.single_prompt_share * 100)}%`]);
      // Demo sessions have 1–15 prompts, each answered: a reply doubles the messages, not the prompts.
      expect(sessions.avg_messages).toBeGreaterThan(sessions.avg_prompts);
      expect(sessions.single_prompt_share).toBeGreaterThan(0);

      const tile = page.locator('[data-kpi="single_prompt_share"]');
      await expect(tile.locator('.kpi-label').textContent()).resolves.toBe('Single-prompt sessions');
      expect(Number(await tile.getAttribute('data-value'))).toBe(sessions.single_prompt_share);
      expect(await tile.getAttribute('title')).toContain('more than half of the sessions having a single prompt');
      await expect(page.locator('[data-kpi="avg_prompts"] .kpi-label').textContent()).resolves.toBe('Prompts / session');
    } finally {
      await close();
    }
  });

  it('shows average users as whole users with the change against the previous period', async () => {
    const { page, close } = await openDashboard();
    try {
      const to = await page.inputValue('#to');
      const from = await page.inputValue('#from');
      const api = await report(`from=${from}&to=${to}&tz=UTC`);
      const tile = page.locator('[data-kpi="dau"]');
      await expect(tile.locator('.kpi-value').textContent()).resolves.toBe(new Intl.NumberFormat('en-US').format(Math.round(api.dau)));
      expect(api.change.dau).not.toBeNull();
      expect(Number(await tile.getAttribute('data-change'))).toBe(api.change.dau);
      const arrow = api.change.dau > 0 ? '▲' : api.change.dau < 0 ? '▼' : '=';
      await expect(tile.locator('.kpi-change').textContent()).resolves.toBe(`${arrow} ${Math.abs(api.change.dau).toFixed(1)}%`);
      expect(await tile.getAttribute('title')).toContain('against the previous 30 days');
    } finally {
      await close();
    }
  });

  it('groups a 90-day range into weekly cohorts with an all-cohorts row', async () => {
    const from = isoDay(Date.now() - 89 * DAY_MS);
    const { page, close } = await openDashboard(`?from=${from}&tz=UTC`);
    try {
      await waitForPanel(page, 'retention');
      const retention = page.locator('[data-panel="retention"]');
      expect(await retention.getAttribute('data-cohort-period')).toBe('week');
      const rows = await page.evaluate(() => {
        const scope = globalThis as any;
        const chart = scope.echarts.getInstanceByDom(scope.document.querySelector('[data-panel="retention"] [data-slot="chart"]'));
        return chart.getOption().yAxis[0].data as string[];
      });
      // 90 days span 13 or 14 ISO weeks, plus the summary row.
      expect(rows.length).toBeGreaterThanOrEqual(14);
      expect(rows.length).toBeLessThanOrEqual(15);
      expect(rows[0]).toMatch(/^Week of \d{4}-\d{2}-\d{2}/);
      expect(rows[rows.length - 1]).toMatch(/^All cohorts {2}\(\d[\d,]*\)$/);
    } finally {
      await close();
    }
  });

  it('counts debug traffic only when the toggle asks for it', async () => {
    const { page, close, consoleErrors } = await openDashboard();
    try {
      const to = await page.inputValue('#to');
      const from = await page.inputValue('#from');
      const without = await report(`from=${from}&to=${to}&tz=UTC`);
      const withDebug = await report(`from=${from}&to=${to}&tz=UTC&include_debug=true`);
      expect(withDebug.sessions.sessions).toBe(without.sessions.sessions + 1);
      const kpis = page.locator('[data-panel="kpis"]');
      expect(await kpis.getAttribute('data-query')).not.toContain('include_debug');
      await page.locator('label:has(#include-debug)').click();
      await page.waitForFunction(
        () => ((globalThis as any).document.querySelector('[data-panel="kpis"]').dataset.query as string).includes('include_debug=true'),
        undefined,
        { timeout: PANEL_TIMEOUT_MS },
      );
      await waitForPanel(page, 'engagement');
      await page.waitForFunction(
        () => ((globalThis as any).document.querySelector('[data-panel="engagement"]').dataset.query as string).includes('include_debug=true'),
        undefined,
        { timeout: PANEL_TIMEOUT_MS },
      );
      const sessions = await page.locator('[data-stat="sessions"] dd').textContent();
      expect(sessions).toBe(new Intl.NumberFormat('en-US').format(withDebug.sessions.sessions));
      expect(page.url()).toContain('include_debug=true');
      expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('leaves bots and internal users out until their toggles ask for them, and says how many it left out', async () => {
    const { page, close, consoleErrors } = await openDashboard();
    try {
      const to = await page.inputValue('#to');
      const from = await page.inputValue('#from');
      const line = page.locator('#excluded-traffic');
      await expect.poll(() => line.textContent(), { timeout: PANEL_TIMEOUT_MS }).toBe('Left out of the numbers: 1 bot user, 1 internal user');
      const withBots = await report(`from=${from}&to=${to}&tz=UTC&include_bots=true`);
      const without = await report(`from=${from}&to=${to}&tz=UTC`);
      expect(withBots.sessions.sessions).toBe(without.sessions.sessions + 1);
      await page.locator('label:has(#include-bots)').click();
      await page.waitForFunction(
        () => ((globalThis as any).document.querySelector('[data-panel="engagement"]').dataset.query as string).includes('include_bots=true'),
        undefined,
        { timeout: PANEL_TIMEOUT_MS },
      );
      await waitForPanel(page, 'engagement');
      const sessions = await page.locator('[data-stat="sessions"] dd').textContent();
      expect(sessions).toBe(new Intl.NumberFormat('en-US').format(withBots.sessions.sessions));
      await expect.poll(() => line.textContent(), { timeout: PANEL_TIMEOUT_MS }).toBe('Left out of the numbers: 0 bot users, 1 internal user');
      expect(page.url()).toContain('include_bots=true');
      expect(page.url()).not.toContain('include_internal');
      expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
