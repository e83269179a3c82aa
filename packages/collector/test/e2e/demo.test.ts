import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useAppAndBrowser } from '../support/browser-suite.js';
import { chromiumAvailable } from '../support/chromium.js';
import { eventually, readEvents } from '../support/read-events.js';

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
});
