import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { useAppAndBrowser } from '../support/browser-suite.js';
import { chromiumAvailable } from '../support/chromium.js';
import { eventually, readEvents, whereConversation } from '../support/read-events.js';
import { WRITE_KEY } from '../support/test-app.js';

const require = createRequire(import.meta.url);
const SNIPPET = readFileSync(require.resolve('@chatmeter/sdk/snippet'), 'utf8');
const BUNDLE = readFileSync(require.resolve('@chatmeter/sdk/chatmeter.min.js'), 'utf8');
const TURNS = 200;

/**
 * A chat page that installs the SDK with the documented snippet and makes
 * calls before the bundle has loaded. It is served by a route on the
 * collector's origin: Chromium's local-network-access rules block a
 * route-fulfilled page from reaching a loopback address of another origin.
 */
function chatPage(collectorUrl: string): string {
  const snippet = SNIPPET.replace('https://YOUR-COLLECTOR', collectorUrl);
  return `<!doctype html><html><head><title>Chat</title><script>${snippet}</script><script>
    chatmeter.init({ writeKey: ${JSON.stringify(WRITE_KEY)}, endpoint: ${JSON.stringify(collectorUrl)}, flushIntervalMs: 500 });
    if (!sessionStorage.getItem('loaded')) {
      sessionStorage.setItem('loaded', '1');
      chatmeter.identify('early-user', { plan: 'pro' });
      chatmeter.trackPrompt({ text: 'asked before load', conversationId: 'early' }).response({ model: 'stub' });
    }
  </script></head><body>chat</body></html>`;
}

describe.skipIf(!chromiumAvailable())('SDK in real Chromium against the real collector', () => {
  const suite = useAppAndBrowser();

  it('replays calls made before load, survives offline + reload, and delivers every event exactly once without text', async () => {
    const context = await suite.browser.newContext();
    const pageUrl = `${suite.app.url}/chat.html`;
    // The page itself never touches the network, so it can reload while offline.
    await context.route(pageUrl, (route) => route.fulfill({ contentType: 'text/html', body: chatPage(suite.app.url) }));
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(pageUrl);

    // Calls made before the bundle loaded arrive, with the turn's response.
    const early = await eventually(() => {
      const rows = readEvents(suite.app.dbPath, "user_id = 'early-user'");
      expect(rows.map((row) => row.event ?? row.type).sort()).toEqual(['ai_llm_response_received', 'ai_user_prompt_created', 'identify']);
      return rows;
    });
    expect(early.find((row) => row.event === 'ai_llm_response_received')).toMatchObject({ conversation_id: 'early', prompt_number: 1 });
    // The SDK reports its delivery health after a session's first delivered batch. Waiting for the report leaves no
    // send under way when the network goes: one cut off by it made Chromium log ERR_INTERNET_DISCONNECTED.
    await eventually(() => expect(readEvents(suite.app.dbPath, "event = 'chatmeter_sdk_health'").length).toBeGreaterThan(0));

    // Offline: 200 prompts and responses are queued in IndexedDB, nothing is sent.
    await context.setOffline(true);
    await context.route(`${suite.app.url}/sdk/chatmeter.min.js`, (route) => route.fulfill({ contentType: 'application/javascript', body: BUNDLE }));
    const before = readEvents(suite.app.dbPath).length;
    const conversationId = await page.evaluate(async (turns) => {
      const chatmeter = (globalThis as unknown as { chatmeter: any }).chatmeter;
      const conversation = chatmeter.startConversation();
      for (let index = 0; index < turns; index += 1) {
        const turn = chatmeter.trackPrompt({ text: `secret prompt ${index} jane.roe@example.com` });
        turn.response({ text: `secret answer ${index}`, model: 'gpt-4o-mini', tokens: { prompt: 10, completion: 20 } });
      }
      await chatmeter.flush(); // waits for the IndexedDB writes; sends nothing offline
      return conversation as string;
    }, TURNS);
    expect(readEvents(suite.app.dbPath).length).toBe(before);

    // Reload while still offline: the queue survives in IndexedDB.
    await page.reload();
    await page.waitForFunction(() => typeof (globalThis as unknown as { chatmeter: { init?: unknown; q?: unknown } }).chatmeter.q === 'undefined');
    expect(readEvents(suite.app.dbPath).length).toBe(before);

    // Online again: everything arrives exactly once.
    await context.setOffline(false);
    const rows = await eventually(() => {
      const delivered = readEvents(suite.app.dbPath, whereConversation(conversationId));
      expect(delivered).toHaveLength(2 * TURNS);
      return delivered;
    }, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // any duplicate send would land now
    expect(readEvents(suite.app.dbPath, whereConversation(conversationId))).toHaveLength(2 * TURNS);

    const prompts = rows.filter((row) => row.event === 'ai_user_prompt_created');
    const responses = rows.filter((row) => row.event === 'ai_llm_response_received');
    const numbers = Array.from({ length: TURNS }, (_, index) => index + 1);
    expect(prompts.map((row) => row.prompt_number).sort((a, b) => a! - b!)).toEqual(numbers);
    expect(responses.map((row) => row.prompt_number).sort((a, b) => a! - b!)).toEqual(numbers);
    expect(new Set(rows.map((row) => row.message_id)).size).toBe(2 * TURNS);
    // One session across the reload, the identified user on every event.
    expect(new Set(rows.map((row) => row.session_id)).size).toBe(1);
    expect(rows[0]!.session_id).toBe(early[0]!.session_id);
    expect(new Set(rows.map((row) => row.user_id))).toEqual(new Set(['early-user']));
    // No text anywhere in the store.
    expect(rows.some((row) => row.properties.includes('secret'))).toBe(false);
    // The default text mode 'classify': the prompt text went out to be classified and is not stored (classify-canary.test.ts follows it through the built collector).
    const firstPrompt = JSON.parse(prompts[0]!.properties) as Record<string, unknown>;
    expect(firstPrompt).toMatchObject({ text_mode: 'classify' });
    expect(firstPrompt).not.toHaveProperty('prompt_text');
    expect(readFileSync(suite.app.dbPath).includes('jane.roe')).toBe(false);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('serves the bundle with caching headers and CORS', async () => {
    const response = await fetch(`${suite.app.url}/sdk/chatmeter.min.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await response.text()).toBe(BUNDLE);
  });
});
