import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { READ_KEY, startTestApp, type TestApp } from '../support/test-app.js';
import { PANEL_TIMEOUT_MS, isoDay, waitForPanel } from '../support/dashboard-page.js';

const DAY_MS = 86_400_000;
const SLOW_MODEL = 'azure-gpt-4o-2024-08-06-eastus-production-deployment';

/**
 * A small, hand-made data set around today (UTC), so every expected number
 * below is worked out by hand. The dashboard shows the 30 days ending today.
 *
 *  day     user (plan)   conversation  prompts (intent)   response: model     latency  ttft   status   cost
 *  D−35    u1 (free)     c-p1          billing             gpt-fast            800      —      success  0.01
 *  D−2     u1 (free)     c-1           billing, tech       gpt-fast            900      200    success  0.02
 *                                                          SLOW_MODEL          12000    —      timeout  0.05
 *  D−2     u2 (pro)      c-2           billing             SLOW_MODEL          9000     1500   success  0.10
 *  D−2     u3 (—)        c-3           tech                gpt-fast            700      300    error    0.03
 *
 * In the range: latencies 700, 900, 9000, 12000 → p95 at rank 2.85 = 9000 + 0.85 × 3000 = 11,550 ms, against
 * 800 ms over D−36…D−30 (+1,343.8%); 2 of 4 responses failed; 0.20 on 3 conversations = 0.066667 against
 * 0.01 on 1 in D−59…D−30 (+566.7%).
 */
function fixture(today: number): unknown[] {
  let sequence = 0;
  const at = (day: number, time: string) => `${new Date(today - day * DAY_MS).toISOString().slice(0, 10)}T${time}.000Z`;
  const track = (userId: string, event: string, timestamp: string, properties: Record<string, unknown>) => {
    sequence += 1;
    return { type: 'track', event, userId, messageId: `chart-${sequence}`, timestamp, context: { sessionId: `s-${userId}-${timestamp.slice(0, 10)}` }, properties };
  };
  const prompt = (userId: string, timestamp: string, conversation: string, number: number, intent: string) =>
    track(userId, 'ai_user_prompt_created', timestamp, { conversation_id: conversation, prompt_number: number, classified_intent: intent });
  const response = (userId: string, timestamp: string, conversation: string, number: number, model: string, latency: number, ttft: number | null, status: string, cost: number) =>
    track(userId, 'ai_llm_response_received', timestamp, {
      conversation_id: conversation, prompt_number: number, model_used: model, latency_ms: latency, cost, response_status: status,
      token_count: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
      ...(ttft === null ? {} : { time_to_first_token_ms: ttft }),
    });
  return [
    { type: 'identify', messageId: 'chart-u1', userId: 'u1', timestamp: at(40, '00:00:00'), traits: { plan: 'free' } },
    { type: 'identify', messageId: 'chart-u2', userId: 'u2', timestamp: at(40, '00:00:00'), traits: { plan: 'pro' } },
    prompt('u1', at(35, '10:00:00'), 'c-p1', 1, 'billing'),
    response('u1', at(35, '10:00:01'), 'c-p1', 1, 'gpt-fast', 800, null, 'success', 0.01),
    prompt('u1', at(2, '10:00:00'), 'c-1', 1, 'billing'),
    response('u1', at(2, '10:00:01'), 'c-1', 1, 'gpt-fast', 900, 200, 'success', 0.02),
    prompt('u1', at(2, '10:01:00'), 'c-1', 2, 'tech'),
    response('u1', at(2, '10:01:12'), 'c-1', 2, SLOW_MODEL, 12000, null, 'timeout', 0.05),
    prompt('u2', at(2, '14:00:00'), 'c-2', 1, 'billing'),
    response('u2', at(2, '14:00:09'), 'c-2', 1, SLOW_MODEL, 9000, 1500, 'success', 0.1),
    prompt('u3', at(2, '16:00:00'), 'c-3', 1, 'tech'),
    response('u3', at(2, '16:00:01'), 'c-3', 1, 'gpt-fast', 700, 300, 'error', 0.03),
  ];
}

// Functions passed to page.evaluate run in the page, which the test
// tsconfig (no DOM lib) reaches through an untyped `globalThis`.

interface DrawnText {
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

describe.skipIf(!chromiumAvailable())('the dashboard charts: flags, units, markers, scales and flows', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];
  let range: string;

  beforeAll(async () => {
    app = await startTestApp();
    const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
    const result = await app.post('/v1/batch', { batch: fixture(today) });
    expect(result.status).toBe(200);
    expect(result.body.rejected).toEqual([]);
    range = `from=${isoDay(today - 29 * DAY_MS)}&to=${isoDay(today)}&tz=UTC`;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
    page = await context.newPage();
    consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${app.url}/dashboard?${range}`);
    await page.locator('#key-form').waitFor({ state: 'visible' });
    await page.fill('#read-key', READ_KEY);
    await page.click('#key-form button[type="submit"]');
    for (const name of ['kpis', 'latency', 'errors', 'cost-daily', 'cost-models', 'cost-segments', 'intents', 'intent-flows', 'peak-hours']) await waitForPanel(page, name);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function tile(key: string): Promise<{ value: string; status: string | null; title: string }> {
    const locator = page.locator(`[data-kpi="${key}"]`);
    return {
      value: (await locator.locator('.kpi-value').textContent()) ?? '',
      status: await locator.getAttribute('data-status'),
      title: (await locator.getAttribute('title')) ?? '',
    };
  }

  it('shows the AI health flags with their thresholds in the tiles’ hover text', async () => {
    const latency = await tile('latency_p95');
    expect(latency.value).toBe('11.55 s');
    expect(latency.status).toBe('warning');
    expect(latency.title).toContain('11.55 s vs 0.8 s over the 7 days before the range (+1,343.8%)');
    expect(latency.title).toContain('Reference: p95 latency over the range vs the 7 days before it: 20% or more higher is a warning');

    const errors = await tile('error_rate');
    expect(errors.value).toBe('50.0%');
    expect(errors.status).toBe('warning');
    expect(errors.title).toContain('2 of 4 responses failed (errors + timeouts)');
    expect(errors.title).toContain('Reference: (errors + timeouts) / responses: above 5% is a warning');

    const cost = await tile('cost_per_conversation');
    expect(cost.value).toBe('$0.0667');
    expect(cost.status).toBe('warning');
    expect(cost.title).toContain('$0.0667 vs $0.0100 in the previous period of the same length (+566.7%)');
    expect(cost.title).toContain('Reference: cost per conversation vs the previous period of the same length: 25% or more higher is a warning');
  });

  it('gives every latency table column one unit, picked from its largest value', async () => {
    const columns = await tableColumns(page, 'latency');
    // 2 responses each, then by name: azure-… before gpt-fast.
    expect(columns['Model']).toEqual([SLOW_MODEL, 'gpt-fast']);
    expect(columns['Avg']).toEqual(['10.5 s', '0.8 s']);
    expect(columns['p95']).toEqual(['11.85 s', '0.89 s']);
    // Time to first token stays below 10 s: the whole column is in milliseconds.
    expect(columns['TTFT p50']).toEqual(['1,500 ms', '250 ms']);
    expect(columns['TTFT p95']).toEqual(['1,500 ms', '295 ms']);
  });

  it('labels the latency axis in one unit and draws the baseline as one marker per model', async () => {
    const labels = (await drawnTexts(page, 'latency')).map((text) => text.text).filter((text) => /^[\d.,]+ (ms|s)$/.test(text));
    expect(labels.length).toBeGreaterThan(2);
    expect(labels.every((label) => label.endsWith(' s'))).toBe(true);
    const series = await page.evaluate(() => {
      const chart = (globalThis as any).echarts.getInstanceByDom((globalThis as any).document.querySelector('[data-panel="latency"] [data-slot="chart"]'));
      return chart.getOption().series.map((item: any) => ({ name: item.name, type: item.type, data: item.data }));
    });
    expect(series.filter((item: { type: string }) => item.type === 'line')).toEqual([]);
    expect(series.find((item: { name: string }) => item.name === 'p95, trailing 7 days')).toEqual({ name: 'p95, trailing 7 days', type: 'scatter', data: [11850, 890] });
  });

  it('keeps every chart label inside its chart', async () => {
    for (const name of ['latency', 'errors', 'cost-daily', 'cost-models', 'cost-segments', 'intents', 'intent-flows', 'peak-hours']) {
      const { width, height, texts } = await page.evaluate(chartTexts, name);
      expect(texts.length, name).toBeGreaterThan(0);
      const outside = texts.filter((text: DrawnText) => text.left < -1 || text.top < -1 || text.right > width + 1 || text.bottom > height + 1);
      expect(outside, name).toEqual([]);
    }
  });

  it('puts a colour scale with numbers on the peak-hours heatmap', async () => {
    const visualMap = await page.evaluate(() => {
      const chart = (globalThis as any).echarts.getInstanceByDom((globalThis as any).document.querySelector('[data-panel="peak-hours"] [data-slot="chart"]'));
      const [first] = chart.getOption().visualMap;
      return { show: first.show, calculable: first.calculable, min: first.min, max: first.max, text: first.text };
    });
    // D−2 10:00 holds c-1's two prompts: the busiest cell.
    expect(visualMap).toEqual({ show: true, calculable: true, min: 0, max: 2, text: ['2', '0'] });
    const texts = (await drawnTexts(page, 'peak-hours')).map((text) => text.text);
    expect(texts).toContain('2');
    expect(texts).toContain('0');
  });

  it('ends the intent flows in an "End of conversation" node with the API’s counts', async () => {
    const flows = (await app.get(`/v1/metrics/intent-flows?${range}`)).body;
    expect(flows).toEqual([
      { from: 'tech', to: null, count: 2 },
      { from: 'billing', to: 'tech', count: 1 },
      { from: 'billing', to: null, count: 1 },
    ]);
    const links = await page.evaluate(() => {
      const chart = (globalThis as any).echarts.getInstanceByDom((globalThis as any).document.querySelector('[data-panel="intent-flows"] [data-slot="chart"]'));
      return chart.getOption().series[0].links.map((link: any) => [link.source, link.target, link.value]);
    });
    expect(links).toEqual([
      ['from:tech', 'end', 2],
      ['from:billing', 'to:tech', 1],
      ['from:billing', 'end', 1],
    ]);
    expect((await drawnTexts(page, 'intent-flows')).map((text) => text.text)).toContain('End of conversation');
  });

  it('shows cost by segment as the API computes it, for the trait typed in the panel', async () => {
    const api = (await app.get(`/v1/metrics/cost?${range}&group_by=segment&segment_trait=plan`)).body;
    expect(api.map((row: { key: string; cost: number; conversations: number }) => [row.key, row.cost, row.conversations])).toEqual([
      ['pro', 0.1, 1],
      ['free', 0.07, 1],
      ['unknown', 0.03, 1],
    ]);
    expect(await tableColumns(page, 'cost-segments')).toEqual({
      plan: ['pro', 'free', 'unknown'],
      Cost: ['$0.1000', '$0.0700', '$0.0300'],
      Conversations: ['1', '1', '1'],
      'Cost / conversation': ['$0.1000', '$0.0700', '$0.0300'],
      Tokens: ['150', '300', '150'],
    });

    // Nobody has a `tier` trait: everything is unknown.
    await page.fill('[data-panel="cost-segments"] [data-slot="trait"]', 'tier');
    await page.press('[data-panel="cost-segments"] [data-slot="trait"]', 'Enter');
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector('[data-panel="cost-segments"] th')?.textContent === 'tier',
      undefined,
      { timeout: PANEL_TIMEOUT_MS },
    );
    expect(await tableColumns(page, 'cost-segments')).toEqual({
      tier: ['unknown'],
      Cost: ['$0.2000'],
      Conversations: ['3'],
      'Cost / conversation': ['$0.0667'],
      Tokens: ['600'],
    });
    expect(consoleErrors).toEqual([]);
  });
});

/** A panel's table as { header: cells top to bottom }. */
async function tableColumns(page: Page, panel: string): Promise<Record<string, string[]>> {
  return page.evaluate((name) => {
    const table = (globalThis as any).document.querySelector(`[data-panel="${name}"] table`);
    const headers = [...table.querySelectorAll('thead th')].map((th: any) => th.textContent as string);
    const rows = [...table.querySelectorAll('tbody tr')].map((tr: any) => [...tr.querySelectorAll('td')].map((td: any) => td.textContent as string));
    return Object.fromEntries(headers.map((header, index) => [header, rows.map((row) => row[index] as string)]));
  }, panel);
}

async function drawnTexts(page: Page, panel: string): Promise<DrawnText[]> {
  return (await page.evaluate(chartTexts, panel)).texts;
}

/** Every text ECharts drew in a panel's chart, with its box in chart pixels. Runs in the page. */
function chartTexts(panel: string): { width: number; height: number; texts: DrawnText[] } {
  const chart = (globalThis as any).echarts.getInstanceByDom((globalThis as any).document.querySelector(`[data-panel="${panel}"] [data-slot="chart"]`));
  const texts = chart
    .getZr()
    .storage.getDisplayList()
    .filter((element: any) => typeof element.style?.text === 'string' && element.style.text.trim() !== '' && !element.ignore && !element.invisible)
    .map((element: any) => {
      const box = element.getBoundingRect().clone();
      const transform = element.getComputedTransform();
      if (transform) box.applyTransform(transform);
      return { text: element.style.text as string, left: box.x, top: box.y, right: box.x + box.width, bottom: box.y + box.height };
    });
  return { width: chart.getWidth(), height: chart.getHeight(), texts };
}

