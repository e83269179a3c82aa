import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useAppAndBrowser } from '../support/browser-suite.js';
import { chromiumAvailable } from '../support/chromium.js';
import { eventually, readEvents } from '../support/read-events.js';
import { WRITE_KEY } from '../support/test-app.js';

const require = createRequire(import.meta.url);
const SNIPPET = readFileSync(require.resolve('@chatmeter/sdk/snippet'), 'utf8');
const BUNDLE = readFileSync(require.resolve('@chatmeter/sdk/chatmeter.min.js'), 'utf8');

/** A chat page with the documented snippet, served on the collector's origin (see sdk-offline.test.ts for why). */
function chatPage(collectorUrl: string): string {
  const snippet = SNIPPET.replace('https://YOUR-COLLECTOR', collectorUrl);
  return `<!doctype html><html><head><title>Chat</title><script>${snippet}</script><script>
    chatmeter.init({ writeKey: ${JSON.stringify(WRITE_KEY)}, endpoint: ${JSON.stringify(collectorUrl)}, flushIntervalMs: 300 });
  </script></head><body>chat</body></html>`;
}

/** Runs `call` in the page at the page clock's time `at` (the clock stays there, timers keep running). */
async function at(page: Page, time: number, call: () => void): Promise<void> {
  await page.clock.setFixedTime(time);
  await page.evaluate(call);
}

describe.skipIf(!chromiumAvailable())('a streamed answer, regenerated and rated, through the snippet before the bundle loads', () => {
  const suite = useAppAndBrowser();

  it('stores the times the calls were made, links the regenerated answer, and credits each rating to its own model', async () => {
    const context = await suite.browser.newContext();
    const pageUrl = `${suite.app.url}/chat.html`;
    await context.route(pageUrl, (route) => route.fulfill({ contentType: 'text/html', body: chatPage(suite.app.url) }));
    // The bundle is held back until every call below was made, so the stub records them all.
    let releaseBundle = (): void => undefined;
    const bundleHeld = new Promise<void>((resolve) => (releaseBundle = resolve));
    await context.route(`${suite.app.url}/sdk/chatmeter.min.js`, async (route) => {
      await bundleHeld;
      await route.fulfill({ contentType: 'application/javascript', body: BUNDLE });
    });
    const page = await context.newPage();
    const start = Date.now() - 10 * 60_000;
    await page.clock.setFixedTime(start);
    await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });

    type Scope = { chatmeter: any; turn: any; first: any; second: any };
    await at(page, start, () => {
      const scope = globalThis as unknown as Scope;
      scope.turn = scope.chatmeter.trackPrompt({ text: 'Which plan includes single sign-on?' });
    });
    await at(page, start + 400, () => (globalThis as unknown as Scope).turn.firstToken());
    await at(page, start + 1_500, () => {
      const scope = globalThis as unknown as Scope;
      scope.first = scope.turn.response({ model: 'model-a', tokens: { prompt: 12, completion: 220 } });
    });
    // Regenerate: the second answer is timed from the first one.
    await at(page, start + 1_750, () => (globalThis as unknown as Scope).turn.firstToken());
    await at(page, start + 2_300, () => {
      const scope = globalThis as unknown as Scope;
      scope.second = scope.turn.response({ model: 'model-b', tokens: { prompt: 12, completion: 88 } });
    });
    await at(page, start + 9_000, () => {
      const scope = globalThis as unknown as Scope;
      scope.first.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: 'down' } });
      scope.second.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: 'up' } });
    });
    // Everything so far went to the snippet's stub.
    expect(await page.evaluate(() => (globalThis as unknown as Scope).chatmeter.q.length)).toBe(8);

    releaseBundle();
    await page.waitForFunction(() => !('q' in (globalThis as unknown as Scope).chatmeter));
    await page.evaluate(() => (globalThis as unknown as Scope).chatmeter.flush());

    const rows = await eventually(() => {
      const stored = readEvents(suite.app.dbPath, "event LIKE 'ai_%'");
      expect(stored.map((row) => row.event)).toEqual([
        'ai_user_prompt_created',
        'ai_llm_response_received',
        'ai_llm_response_received',
        'ai_user_action',
        'ai_user_action',
      ]);
      return stored;
    });
    const [prompt, first, second, thumbsDown, thumbsUp] = rows.map((row) => ({ ...row, properties: JSON.parse(row.properties) as Record<string, any> }));
    // Event times are the stub's record of each call (the collector shifts them all by the page clock's skew).
    expect([first!.ts - prompt!.ts, second!.ts - prompt!.ts, thumbsUp!.ts - prompt!.ts]).toEqual([1_500, 2_300, 9_000]);
    expect(first!.properties).toMatchObject({ model_used: 'model-a', latency_ms: 1_500, time_to_first_token_ms: 400, tokens_per_second: 200 });
    expect(first!.properties['regenerated_from']).toBeUndefined();
    expect(first!.properties['response_id']).toMatch(/^[0-9a-f-]{36}$/);
    // 88 completion tokens over the 0.55 s from first to last token.
    expect(second!.properties).toMatchObject({
      model_used: 'model-b',
      latency_ms: 800,
      time_to_first_token_ms: 250,
      tokens_per_second: 160,
      regenerated_from: first!.properties['response_id'],
    });
    expect(second!.properties['response_id']).not.toBe(first!.properties['response_id']);
    expect(thumbsDown!.properties).toMatchObject({ response_id: first!.properties['response_id'], action_details: { feedback_type: 'thumbs', feedback_value: 'down' } });
    expect(thumbsUp!.properties).toMatchObject({ response_id: second!.properties['response_id'], action_details: { feedback_type: 'thumbs', feedback_value: 'up' } });
    expect(new Set(rows.map((row) => [row.conversation_id, row.prompt_number].join('#')))).toEqual(new Set([`${prompt!.conversation_id}#1`]));

    // Chromium under automation reports navigator.webdriver: the collector counts it as a bot.
    expect(rows.every((row) => JSON.parse(row.context).webdriver === true)).toBe(true);
    expect((await suite.app.get('/v1/metrics/satisfaction?group_by=model')).body).toEqual([]);
    // Same turn, two answers: each rating counts for the model of the answer it names.
    const satisfaction = await suite.app.get('/v1/metrics/satisfaction?group_by=model&include_bots=true');
    expect(satisfaction.status).toBe(200);
    expect(satisfaction.body).toEqual([
      { key: 'model-a', ratings: 0, avg_rating: null, thumbs: 1, thumbs_up_rate: 0 },
      { key: 'model-b', ratings: 0, avg_rating: null, thumbs: 1, thumbs_up_rate: 1 },
    ]);
    const ttft = await suite.app.get('/v1/metrics/latency?group_by=model&metric=ttft&include_bots=true');
    expect(ttft.status).toBe(200);
    expect(ttft.body.map((group: { key: string }) => group.key).sort()).toEqual(['model-a', 'model-b']);
    await context.close();
  });
});
