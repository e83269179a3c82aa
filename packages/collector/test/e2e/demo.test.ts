import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useAppAndBrowser } from '../support/browser-suite.js';
import { chromiumAvailable } from '../support/chromium.js';
import { eventually, readEvents, whereConversation, type StoredEventRow } from '../support/read-events.js';

/** A seeded Math.random so the scripted bot's delays and failures are the same on every run. */
function seedRandom(): void {
  let state = 7;
  Math.random = () => (state = (state * 16807) % 2147483647) / 2147483647;
}

async function ask(page: Page, text: string, answered: number): Promise<void> {
  await page.fill('#prompt', text);
  await page.click('#send');
  await page.waitForFunction((count) => (globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }).document.querySelectorAll('.message.bot .message-actions, .message.bot.error').length >= count, answered, {
    timeout: 15_000,
  });
}

/** The stored row's properties, parsed. */
function propertiesOf(row: StoredEventRow): Record<string, any> {
  return JSON.parse(row.properties) as Record<string, any>;
}

async function flush(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { chatmeter: { flush(): Promise<void> } }).chatmeter.flush());
}

describe.skipIf(!chromiumAvailable())('demo chat page in real Chromium', () => {
  const suite = useAppAndBrowser();

  it('tracks prompts, responses, a thumbs up and a new conversation, with text redacted', async () => {
    const page = await suite.browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('requestfailed', (request) => problems.push(`${request.url()} ${request.failure()?.errorText}`));
    await page.addInitScript(seedRandom);
    await page.goto(`${suite.app.url}/demo`);
    await page.waitForFunction(() => !('q' in (globalThis as unknown as { chatmeter: object }).chatmeter));

    await ask(page, 'Where is my order?', 1);
    await ask(page, 'How do I return these shoes?', 2);
    await ask(page, 'I was charged twice', 3);
    await page.locator('.message.bot .message-actions').last().getByTitle('Helpful', { exact: true }).click();
    await page.click('#new-conversation');
    await ask(page, 'Is the jacket in stock?', 1);
    await page.evaluate(() => (globalThis as unknown as { chatmeter: { flush(): Promise<void> } }).chatmeter.flush());

    const events = await eventually(() => {
      const rows = readEvents(suite.app.dbPath, "event LIKE 'ai_%'");
      expect(rows.filter((row) => row.event === 'ai_user_prompt_created')).toHaveLength(4);
      expect(rows.filter((row) => row.event === 'ai_llm_response_received')).toHaveLength(4);
      expect(rows.filter((row) => row.event === 'ai_user_action')).toHaveLength(1);
      return rows;
    });
    const conversations = [...new Set(events.map((row) => row.conversation_id))];
    expect(conversations).toHaveLength(2);
    const first = events.filter((row) => row.conversation_id === conversations[0]);
    expect(first.filter((row) => row.event === 'ai_user_prompt_created').map((row) => row.prompt_number)).toEqual([1, 2, 3]);
    const thumbs = first.find((row) => row.event === 'ai_user_action')!;
    expect(thumbs.prompt_number).toBe(3);
    expect(JSON.parse(thumbs.properties)).toMatchObject({ action_type: 'feedback_given', action_details: { feedback_type: 'thumbs', feedback_value: 'up' } });
    const second = events.filter((row) => row.conversation_id === conversations[1]);
    expect(second.find((row) => row.event === 'ai_user_prompt_created')!.prompt_number).toBe(1);
    expect(events.some((row) => row.properties.includes('charged twice'))).toBe(false);
    // The debug panel shows what is sent: redacted texts.
    expect(await page.locator('#sent-events').innerText()).toContain('[redacted]');
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('debug mode sends the text in full and shows it in the panel', async () => {
    const page = await suite.browser.newPage();
    await page.addInitScript(seedRandom);
    await page.goto(`${suite.app.url}/demo`);
    await page.check('#debug-toggle');
    await ask(page, 'My password reset link expired', 1);
    expect(await page.locator('#sent-events').innerText()).toContain('My password reset link expired');
    await page.evaluate(() => (globalThis as unknown as { chatmeter: { flush(): Promise<void> } }).chatmeter.flush());
    await eventually(() => {
      const rows = readEvents(suite.app.dbPath, "event = 'ai_user_prompt_created' AND properties LIKE '%password reset link%'");
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]!.properties).debug_mode).toBe(true);
    });
  });

  it('streams each answer, times its first token, and rates a regenerated answer and the one it replaced separately', async () => {
    const page = await suite.browser.newPage();
    await page.addInitScript(seedRandom);
    await page.goto(`${suite.app.url}/demo`);
    await page.fill('#prompt', 'Where can I track my parcel, please?');
    await page.click('#send');
    // The answer appears chunk by chunk: a partial text while the bubble is streaming.
    const partial = await page.locator('.message.bot.streaming').first().textContent({ timeout: 15_000 });
    const fullReply = 'Your order left our warehouse yesterday and should arrive in 2 business days. The tracking link is in your confirmation email.';
    expect(fullReply.startsWith(partial!)).toBe(true);
    expect(partial!.length).toBeLessThan(fullReply.length);
    await page.locator('.message.bot .message-actions').first().waitFor({ timeout: 15_000 });

    // The user reads the answer for two seconds before asking for another one.
    await page.waitForTimeout(2_000);
    await page.locator('.message.bot .message-actions').first().getByTitle('Ask the bot again').click();
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.message.bot .message-actions').length >= 2, undefined, { timeout: 15_000 });
    const answers = page.locator('.message.bot:has(.message-actions)');
    await answers.nth(0).getByTitle('Not helpful', { exact: true }).click();
    await answers.nth(1).getByTitle('Helpful', { exact: true }).click();
    await flush(page);

    const conversationRows = await eventually(() => {
      // This test's conversation: the one of the 36-character prompt (the text itself is never stored).
      const [prompt] = readEvents(suite.app.dbPath, "event = 'ai_user_prompt_created' AND prompt_length = 36");
      const ofConversation = readEvents(suite.app.dbPath, `event IN ('ai_llm_response_received', 'ai_user_action') AND ${whereConversation(prompt!.conversation_id!)}`);
      expect(ofConversation.filter((row) => row.event === 'ai_user_action')).toHaveLength(3);
      return ofConversation;
    });
    const responseRows = conversationRows.filter((row) => row.event === 'ai_llm_response_received');
    const [first, second] = responseRows.map(propertiesOf);
    for (const response of [first!, second!]) {
      // Time to first token is measured on the first chunk: after a wait, before the last chunk.
      expect(response.time_to_first_token_ms).toBeGreaterThanOrEqual(300);
      expect(response.time_to_first_token_ms).toBeLessThan(response.latency_ms);
      expect(response.tokens_per_second).toBeGreaterThan(0);
      expect(response.response_status).toBe('success');
    }
    expect(first!.regenerated_from).toBeUndefined();
    expect(second!.regenerated_from).toBe(first!.response_id);
    // A regenerated answer is timed from the click, not from the answer the user had been reading.
    const betweenAnswersMs = responseRows[1]!.ts - responseRows[0]!.ts;
    expect(second!.latency_ms).toBeLessThanOrEqual(betweenAnswersMs - 2_000);
    const actions = conversationRows.filter((row) => row.event === 'ai_user_action').map(propertiesOf);
    expect(actions.map((action) => [action.action_type, action.action_details?.feedback_value, action.response_id])).toEqual([
      ['regenerated', undefined, first!.response_id],
      ['feedback_given', 'down', first!.response_id],
      ['feedback_given', 'up', second!.response_id],
    ]);
  });

  it('keeps the newest event in view in the event panel', async () => {
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.addInitScript(seedRandom);
    await page.goto(`${suite.app.url}/demo`);
    await ask(page, 'Where is my order?', 1);
    await ask(page, 'How do I return these shoes?', 2);
    await ask(page, 'I was charged twice', 3);
    const view = await page.evaluate(() => {
      const panel = (globalThis as any).document.getElementById('sent-events');
      const newest = panel.lastElementChild;
      const panelBox = panel.getBoundingClientRect();
      const newestBox = newest.getBoundingClientRect();
      return {
        overflows: panel.scrollHeight > panel.clientHeight,
        newestShown: newestBox.bottom <= panelBox.bottom + 1 && newestBox.bottom > panelBox.top,
        newest: newest.textContent as string,
      };
    });
    expect(view.overflows).toBe(true);
    // The last answer, or the SDK's delivery report, which it sends after its first delivered batch whenever that lands.
    expect(view.newest).toMatch(/"event": "(ai_llm_response_received|chatmeter_sdk_health)"/);
    expect(view.newestShown).toBe(true);
  });

  it('shows an offline banner with the events waiting, and hides it once they are sent', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(seedRandom);
    await page.goto(`${suite.app.url}/demo`);
    await page.waitForFunction(() => !('q' in (globalThis as any).chatmeter));
    const banner = page.locator('#offline');
    expect(await banner.isVisible()).toBe(false);

    await context.setOffline(true);
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toBe('Offline: new events wait in this browser until the connection is back.');
    await ask(page, 'Is the jacket available in navy?', 1);
    // The prompt and its answer wait in the browser.
    expect(await banner.textContent()).toBe('Offline: 2 events waiting in this browser, sent when the connection is back.');
    await flush(page);
    expect(readEvents(suite.app.dbPath, "event = 'ai_user_prompt_created' AND prompt_length = 32")).toHaveLength(0);

    await context.setOffline(false);
    await banner.waitFor({ state: 'hidden' });
    await eventually(() => expect(readEvents(suite.app.dbPath, "event = 'ai_user_prompt_created' AND prompt_length = 32")).toHaveLength(1));
    await context.close();
  });
});
