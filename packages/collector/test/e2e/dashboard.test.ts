import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { loadDemoData } from '../../src/demo/load-demo-data.js';
import { READ_KEY, startTestApp, WRITE_KEY, type TestApp } from '../support/test-app.js';
import { isoDay } from '../support/dashboard-page.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const XSS_MODEL = '<img src=x onerror=alert(1)>';
const XSS_INTENT = '"><svg onload=alert(2)>';
const DAY_MS = 86_400_000;
const PANEL_TIMEOUT_MS = 20_000;

/** Every panel the page must show; a missing one fails the "all ready" wait. */
const PANELS = [
  'kpis',
  'active-users',
  'active-conversations',
  'engagement',
  'retention',
  'intents',
  'intent-flows',
  'latency',
  'errors',
  'cost-daily',
  'cost-models',
  'cost-segments',
  'satisfaction',
  'peak-hours',
];

// Functions passed to page.evaluate / waitForFunction run in the page. The
// test tsconfig has no DOM lib, so they reach the DOM through an untyped
// `globalThis`; they are functions, not strings, because the page's CSP
// forbids eval, which string predicates need.

describe.skipIf(!chromiumAvailable())('the dashboard in a real browser', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await startTestApp();
    // Realistic traffic from the demo generator, plus hand-made events with hostile strings.
    await loadDemoData({ url: app.url, writeKey: WRITE_KEY, users: 150, days: 45 });
    const response = await app.post('/v1/batch', { batch: seedEvents(Date.now()), sentAt: new Date().toISOString() });
    expect(response.status).toBe(200);
    expect(response.body.rejected).toEqual([]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows every panel from the metrics API, escapes event strings and follows the filters', async () => {
    const { context, page, problems } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${app.url}/dashboard`);
      await enterKey(page, READ_KEY);
      await expectAllPanelsReady(page);

      // The hostile model name is text in the latency table, never an element.
      await expect(page.locator('[data-panel="latency"] td', { hasText: XSS_MODEL }).count()).resolves.toBeGreaterThan(0);
      await expect(page.locator('[data-panel="intents"]').count()).resolves.toBe(1);
      // No --classifier-daily-budget here: no budget line under the intents.
      await expect(page.locator('[data-panel="intents"] [data-slot="budget"]').isHidden()).resolves.toBe(true);
      await expect(page.locator('#model option', { hasText: XSS_MODEL }).count()).resolves.toBe(1);
      await expect(page.locator('#intent option', { hasText: XSS_INTENT }).count()).resolves.toBe(1);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-1440x900.png`, fullPage: true });
      // ECharts renders tooltips as HTML: show the hostile model's tooltip.
      const tooltip = await showLatencyTooltip(page, XSS_MODEL);
      expect(tooltip.text).toContain(XSS_MODEL);
      expect(tooltip.hasInjectedElement).toBe(false);
      await expect(page.locator('img[src="x"], svg[onload]').count()).resolves.toBe(0);

      // The default range is the last 30 days in the browser's zone (UTC here).
      const defaults = await filterValues(page);
      expect(defaults.tz).toBe('UTC');
      expect(defaults.to).toBe(new Date().toISOString().slice(0, 10));
      expect(await kpiValue(page, 'mau')).toBe(await reportValue(app, defaults, 'mau'));
      expect(await kpiValue(page, 'mau')).toBeGreaterThan(0);

      // A narrower range in another zone: the tiles must equal the API's answer for the same query.
      const narrowed = { from: isoDay(Date.now() - 6 * DAY_MS), to: defaults.to, tz: 'America/New_York' };
      await page.fill('#from', narrowed.from);
      await page.dispatchEvent('#from', 'change');
      await page.selectOption('#tz', narrowed.tz);
      await waitForQuery(page, 'kpis', narrowed);
      for (const kpi of ['dau', 'wau', 'mau'] as const) {
        expect(await kpiValue(page, kpi), kpi).toBe(await reportValue(app, narrowed, kpi));
      }
      const mauText = await page.locator('[data-kpi="mau"] .kpi-value').textContent();
      // Report MAU is the range's average of daily MAU, shown as whole users.
      expect(mauText).toBe(new Intl.NumberFormat('en-US').format(Math.round(await reportValue(app, narrowed, 'mau'))));
      await waitForQuery(page, 'active-users', narrowed);
      await expectAllPanelsReady(page);

      // A model filter narrows the panels to that model.
      await page.selectOption('#model', 'gpt-4o');
      await waitForQuery(page, 'latency', { ...narrowed, model: 'gpt-4o' });
      await expect(page.locator('[data-panel="latency"] tbody tr').count()).resolves.toBe(1);

      expect(problems.dialogs).toEqual([]);
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.failedRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('adds time to first token to the latency chart and warns on the data-delivery tile when events were dropped', async () => {
    const { context, page, problems } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${app.url}/dashboard`);
      await enterKey(page, READ_KEY);
      await expectAllPanelsReady(page);
      const seriesNames = await page.evaluate(() => {
        const scope = globalThis as any;
        const chart = scope.echarts.getInstanceByDom(scope.document.querySelector('[data-panel="latency"] [data-slot="chart"]'));
        return chart.getOption().series.map((series: { name: string }) => series.name) as string[];
      });
      expect(seriesNames).toEqual(['p50', 'p95', 'TTFT p50', 'TTFT p95', 'p95, trailing 7 days']);
      await expect(page.locator('[data-panel="latency"] th', { hasText: 'TTFT p95' }).count()).resolves.toBe(1);

      // The demo data's own health reports come on top of the seeded page that dropped 3 and sent 37.
      const { delivery } = (await app.get('/v1/metrics/report')).body;
      expect(delivery.dropped).toBeGreaterThanOrEqual(3);
      expect(delivery.sent).toBeGreaterThan(37);
      const tile = page.locator('[data-kpi="delivery"]');
      expect(await tile.getAttribute('data-status')).toBe('warning');
      expect(await tile.getAttribute('data-value')).toBe(String(delivery.dropped));
      await expect(tile.locator('.kpi-value').textContent()).resolves.toBe(`${delivery.dropped} dropped`);
      const hover = (await tile.getAttribute('title')) ?? '';
      expect(hover).toContain('more than 0 in the range is a warning');
      expect(hover).toContain(`Sent ${delivery.sent.toLocaleString('en-US')}`);
      const tileBorder = await tile.evaluate((element) => (globalThis as any).getComputedStyle(element).borderTopColor as string);
      expect(tileBorder).toBe('rgb(252, 211, 77)');
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.failedRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone screen without horizontal scrolling', async () => {
    const { context, page, problems } = await openPage(browser, { width: 390, height: 844 });
    try {
      await page.goto(`${app.url}/dashboard`);
      await enterKey(page, READ_KEY);
      await expectAllPanelsReady(page);
      const overflow = await page.evaluate(() => {
        const root = (globalThis as any).document.documentElement;
        return (root.scrollWidth as number) - (root.clientWidth as number);
      });
      expect(overflow).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-390x844.png`, fullPage: true });
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.failedRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('asks for the key again when the metrics API rejects it, and keeps it for reloads of the tab', async () => {
    const { context, page, problems } = await openPage(browser, { width: 1280, height: 800 });
    try {
      await page.goto(`${app.url}/dashboard`);
      await enterKey(page, 'not-the-read-key');
      await page.locator('#key-error', { hasText: 'not accepted' }).waitFor({ state: 'visible' });
      await enterKey(page, READ_KEY);
      await expectAllPanelsReady(page);
      await page.reload();
      await expectAllPanelsReady(page);
      expect(await page.isVisible('#key-form')).toBe(false);
      // The rejected key produced 401s and nothing else went wrong.
      expect(problems.failedRequests.every((failure) => failure.startsWith('401 '))).toBe(true);
      expect(problems.failedRequests.length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  it('shows empty states for a range without data', async () => {
    const { context, page, problems } = await openPage(browser, { width: 1280, height: 800 });
    try {
      await page.goto(`${app.url}/dashboard?from=2020-01-01&to=2020-01-31&tz=UTC`);
      await enterKey(page, READ_KEY);
      await waitForSettled(page);
      const states = await panelStates(page);
      for (const name of ['active-users', 'intents', 'intent-flows', 'latency', 'errors', 'cost-daily', 'cost-models', 'cost-segments', 'satisfaction', 'peak-hours']) {
        expect(states[name]?.state, name).toBe('empty');
      }
      await expect(page.locator('[data-panel="latency"] .panel-status').textContent()).resolves.toContain('No data');
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.failedRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the API error message in the panel', async () => {
    const { context, page } = await openPage(browser, { width: 1280, height: 800 });
    try {
      // Fail one endpoint at the network layer as a broken collector would.
      await page.route('**/v1/metrics/peak-hours*', (route) =>
        route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal_error', message: 'the database is locked' } }) }),
      );
      await page.goto(`${app.url}/dashboard`);
      await enterKey(page, READ_KEY);
      await waitForSettled(page);
      const states = await panelStates(page);
      expect(states['peak-hours']).toEqual({ state: 'error', status: 'Could not load this panel: the database is locked (internal_error)' });
      expect(states['latency']?.state).toBe('ready');
    } finally {
      await context.close();
    }
  });
});

describe.skipIf(!chromiumAvailable())('the dashboard with a classifier budget', () => {
  let app: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startTestApp({ appOptions: { classifierDailyBudget: 2 } });
    const response = await app.post('/v1/batch', { batch: seedEvents(Date.now()), sentAt: new Date().toISOString() });
    expect(response.status).toBe(200);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("shows today's LLM classifier spend against the daily budget under the intents", async () => {
    const { context, page } = await openPage(browser, { width: 1280, height: 800 });
    try {
      await page.goto(`${app.url}/dashboard`);
      await enterKey(page, READ_KEY);
      await waitForSettled(page);
      await expect(page.locator('[data-panel="intents"] [data-slot="budget"]').textContent()).resolves.toBe(
        'LLM classifier budget: $0.00 of $2.00 spent today (UTC)',
      );
    } finally {
      await context.close();
    }
  });
});

describe('the dashboard routes', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves the page with a revalidated cache and the strict CSP', async () => {
    const response = await app.get('/dashboard', { auth: false });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.text).toContain('<script type="module" src="/dashboard/dashboard.js"></script>');
    // No inline script or handler could run under the CSP anyway; keep the page honest.
    expect(response.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(response.text).not.toMatch(/\son[a-z]+=/);
  });

  it('serves the modules and ECharts locally', async () => {
    const module = await app.get('/dashboard/dashboard.js', { auth: false });
    expect(module.status).toBe(200);
    expect(module.headers.get('content-type')).toMatch(/javascript/);
    const echarts = await app.get('/vendor/echarts.min.js', { auth: false });
    expect(echarts.status).toBe(200);
    expect(echarts.headers.get('content-type')).toMatch(/javascript/);
    expect(echarts.headers.get('cache-control')).toContain('max-age=3600');
    expect(echarts.text.length).toBeGreaterThan(500_000);
  });

  it('answers 404 for assets that do not exist', async () => {
    const response = await app.get('/dashboard/nope.js', { auth: false });
    expect(response.status).toBe(404);
  });
});

interface Problems {
  consoleErrors: string[];
  failedRequests: string[];
  dialogs: string[];
}

async function openPage(browser: Browser, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; problems: Problems }> {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-US' });
  const page = await context.newPage();
  const problems: Problems = { consoleErrors: [], failedRequests: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(`pageerror: ${error.message}`));
  page.on('requestfailed', (request) => problems.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.status()} ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    problems.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { context, page, problems };
}

async function enterKey(page: Page, key: string): Promise<void> {
  await page.locator('#key-form').waitFor({ state: 'visible' });
  await page.fill('#read-key', key);
  await page.click('#key-form button[type="submit"]');
}

async function panelStates(page: Page): Promise<Record<string, { state: string; status: string }>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...(globalThis as any).document.querySelectorAll('[data-panel]')].map((panel: any) => [
        panel.dataset.panel as string,
        { state: panel.dataset.state as string, status: panel.querySelector('.panel-status').textContent as string },
      ]),
    ),
  );
}

async function waitForSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const panels = [...(globalThis as any).document.querySelectorAll('[data-panel]')];
      return panels.length > 0 && panels.every((panel: any) => panel.dataset.state !== 'loading');
    },
    undefined,
    { timeout: PANEL_TIMEOUT_MS },
  );
}

/** Waits for every panel to settle, then expects each one to be ready (with its message if not). */
async function expectAllPanelsReady(page: Page): Promise<void> {
  await waitForSettled(page);
  const states = await panelStates(page);
  expect(Object.keys(states).sort()).toEqual([...PANELS].sort());
  const notReady = Object.entries(states).filter(([, { state }]) => state !== 'ready');
  expect(notReady).toEqual([]);
}

/** The panel shows data for exactly this query (the page records it in `data-query`). */
async function waitForQuery(page: Page, panel: string, query: { from: string; to: string; tz: string; model?: string; intent?: string }): Promise<void> {
  const expected = new URLSearchParams({ from: query.from, to: query.to, tz: query.tz, model: query.model ?? '', intent: query.intent ?? '' }).toString();
  await page.waitForFunction(
    ({ name, query }) => {
      const element = (globalThis as any).document.querySelector(`[data-panel="${name}"]`);
      return element.dataset.query === query && element.dataset.state !== 'loading';
    },
    { name: panel, query: expected },
    { timeout: PANEL_TIMEOUT_MS },
  );
}

async function filterValues(page: Page): Promise<{ from: string; to: string; tz: string }> {
  return {
    from: await page.inputValue('#from'),
    to: await page.inputValue('#to'),
    tz: await page.inputValue('#tz'),
  };
}

async function kpiValue(page: Page, kpi: string): Promise<number> {
  const value = await page.getAttribute(`[data-kpi="${kpi}"]`, 'data-value');
  return Number(value);
}

async function reportValue(app: TestApp, query: { from: string; to: string; tz: string }, field: 'dau' | 'wau' | 'mau'): Promise<number> {
  const response = await app.get(`/v1/metrics/report?${new URLSearchParams(query).toString()}`);
  expect(response.status).toBe(200);
  return response.body[field] as number;
}

/** Opens the latency chart's tooltip on one model and reads what it shows. */
async function showLatencyTooltip(page: Page, model: string): Promise<{ text: string; hasInjectedElement: boolean }> {
  return page.evaluate((name) => {
    const scope = globalThis as any;
    const container = scope.document.querySelector('[data-panel="latency"] [data-slot="chart"]');
    const chart = scope.echarts.getInstanceByDom(container);
    const models: string[] = chart.getOption().xAxis[0].data;
    chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: models.indexOf(name) });
    const tooltips = [...container.querySelectorAll('div')].filter((element: any) => element.style.position === 'absolute' && element.textContent.includes('p50'));
    const tooltip: any = tooltips[tooltips.length - 1];
    return { text: tooltip ? (tooltip.textContent as string) : '', hasInjectedElement: container.querySelector('img, svg[onload]') !== null };
  }, model);
}

/**
 * A compact but varied history relative to `now`: six users over ten days,
 * several models (one with a hostile name), intents that change within
 * conversations, failures, ratings and thumbs, and one conversation still
 * going on (for the live panel).
 */
function seedEvents(now: number): Record<string, unknown>[] {
  // Days ago each user was active (0 = today, a few minutes ago).
  const activity: Record<string, number[]> = {
    'user-ana': [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    'user-ben': [9, 7, 5, 3, 1],
    'user-chen': [9, 8, 2],
    'user-dara': [5, 4, 0],
    'user-eli': [9],
    'user-fay': [3, 2, 1],
  };
  const intents = ['coding', 'writing', 'research', 'coding', 'support', XSS_INTENT];
  const models = ['gpt-4o', 'claude-3-5-sonnet', 'llama-3-70b'];
  const events: Record<string, unknown>[] = [];
  let turn = 0;
  for (const [userId, days] of Object.entries(activity)) {
    for (const daysAgo of days) {
      // Today's activity sits in the last minutes so the live panel has it;
      // earlier days spread over the working hours of that day.
      const start = daysAgo === 0 ? now - 4 * 60_000 : now - daysAgo * DAY_MS - ((turn * 37) % 300) * 60_000;
      const sessionId = `${userId}-s${daysAgo}`;
      const conversationId = `${userId}-c${daysAgo}`;
      const prompts = 1 + (turn % 3);
      for (let promptNumber = 1; promptNumber <= prompts; promptNumber += 1) {
        turn += 1;
        const at = start + (promptNumber - 1) * 90_000;
        const base = { type: 'track', userId, context: { sessionId } };
        const intent = intents[(turn + daysAgo) % intents.length];
        const model = turn === 7 ? XSS_MODEL : models[turn % models.length];
        const status = turn % 11 === 0 ? 'error' : turn % 13 === 0 ? 'timeout' : 'success';
        events.push({
          ...base,
          event: 'ai_user_prompt_created',
          messageId: `${conversationId}-p${promptNumber}`,
          timestamp: new Date(at).toISOString(),
          properties: { conversation_id: conversationId, prompt_number: promptNumber, classified_intent: intent, input_method: 'text' },
        });
        events.push({
          ...base,
          event: 'ai_llm_response_received',
          messageId: `${conversationId}-r${promptNumber}`,
          timestamp: new Date(at + 1_500 + (turn % 5) * 1_000).toISOString(),
          properties: {
            conversation_id: conversationId,
            prompt_number: promptNumber,
            latency_ms: 400 + ((turn * 293) % 2600),
            time_to_first_token_ms: 150 + ((turn * 97) % 600),
            tokens_per_second: 20 + (turn % 40),
            model_used: model,
            token_count: { prompt_tokens: 100 + turn * 7, completion_tokens: 200 + turn * 11, total_tokens: 300 + turn * 18 },
            cost: Number((0.001 + turn * 0.0007).toFixed(4)),
            response_status: status,
          },
        });
        if (turn % 2 === 0) {
          const thumbs = turn % 4 === 0;
          events.push({
            ...base,
            event: 'ai_user_action',
            messageId: `${conversationId}-f${promptNumber}`,
            timestamp: new Date(at + 20_000).toISOString(),
            properties: {
              conversation_id: conversationId,
              prompt_number: promptNumber,
              action_type: 'feedback_given',
              action_details: thumbs ? { feedback_type: 'thumbs', feedback_value: turn % 3 !== 0 } : { feedback_type: 'rating', feedback_value: 1 + (turn % 5) },
            },
          });
        }
      }
    }
  }
  // The SDK's delivery report of one browser two days ago: three events dropped on a full queue.
  events.push({
    type: 'track',
    event: 'chatmeter_sdk_health',
    anonymousId: 'browser-e2e',
    messageId: 'health-e2e',
    timestamp: new Date(now - 2 * DAY_MS).toISOString(),
    context: { library: { name: '@chatmeter/sdk', version: '0.9.0' } },
    properties: { queued: 40, sent: 37, retried: 2, dropped_queue_full: 3, dropped_rejected: 0, storage: 'memory' },
  });
  return events;
}
