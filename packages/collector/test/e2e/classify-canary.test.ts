import { existsSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { eventually, readEvents } from '../support/read-events.js';
import { startCollector, type StartedCollector } from '../support/start-collector.js';

/** A prompt with a word and an email address that appear nowhere else: finding either anywhere means the text was kept. */
const CANARY_EMAIL = 'canary.kestrel.5518@example.org';
const CANARY_WORD = 'marmalade';
const PROMPT = `I was charged twice for my ${CANARY_WORD} order, refund it to ${CANARY_EMAIL}`;

describe.skipIf(!chromiumAvailable())("the default text mode 'classify' from the demo page to the built collector", () => {
  let collector: StartedCollector;
  let browser: Browser;

  beforeAll(async () => {
    // The most verbose logging there is: no log line may carry the prompt either.
    collector = await startCollector({ args: ['--log-level', 'trace'] });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
  });

  it('classifies the prompt at ingest and keeps its text nowhere: not in the database, its WAL or the logs', async () => {
    const page = await browser.newPage();
    const sentBodies: string[] = [];
    await page.route('**/v1/batch', (route) => {
      sentBodies.push(route.request().postData() ?? '');
      return route.continue();
    });
    await page.goto(`${collector.url}/demo`);
    await page.fill('#prompt', PROMPT);
    await page.click('#send');
    await page.locator('.message.bot .message-actions, .message.bot.error').first().waitFor({ timeout: 15_000 });
    await page.evaluate(() => (globalThis as unknown as { chatmeter: { flush(): Promise<void> } }).chatmeter.flush());
    // The SDK did send the text, marked for classification only: the collector is what must drop it.
    const sentPrompt = sentBodies.map((body) => JSON.parse(body).batch).flat().find((event: { event: string }) => event.event === 'ai_user_prompt_created');
    expect(sentPrompt.properties).toMatchObject({ prompt_text: PROMPT, text_mode: 'classify' });

    const prompt = await eventually(() => {
      const [row] = readEvents(collector.dbPath, "event = 'ai_user_prompt_created'");
      expect(row).toBeDefined();
      return row!;
    });
    expect(prompt.intent).toBe('billing_payment');
    expect(JSON.parse(prompt.properties)).toEqual({ conversation_id: prompt.conversation_id, prompt_number: 1, text_mode: 'classify', prompt_length: 88 });

    // The logs did record the request (pino writes asynchronously: wait for the line), so the scan looks at real output.
    await eventually(() => expect(collector.logLines.some((line) => line.includes('/v1/batch'))).toBe(true));
    const leaks = (where: string, content: string | Buffer): string[] =>
      [CANARY_EMAIL, 'kestrel', CANARY_WORD, PROMPT].filter((needle) => content.includes(needle)).map((needle) => `${where} contains "${needle}"`);
    const wal = `${collector.dbPath}-wal`;
    expect(existsSync(wal)).toBe(true);
    const whileRunning = [
      ...leaks('database', readFileSync(collector.dbPath)),
      ...leaks('WAL', readFileSync(wal)),
      ...leaks('stdout', collector.logLines.join('\n')),
      ...leaks('stderr', collector.stderr()),
    ];
    expect(whileRunning).toEqual([]);

    // After a graceful stop the WAL is folded into the database file: scan it again.
    await collector.stop();
    expect([...leaks('database after stop', readFileSync(collector.dbPath)), ...leaks('stdout', collector.logLines.join('\n'))]).toEqual([]);
  });
});
