import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChatmeter } from '@chatmeter/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, readEvents } from './support/read-events.js';
import { startCollector, type StartedCollector } from './support/start-collector.js';

const EMAIL = 'jane.roe@example.com';
const CARD = '4111 1111 1111 1111'; // passes Luhn

let collector: StartedCollector | undefined;
let llmServer: Server | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
  await new Promise<void>((resolve) => (llmServer ? llmServer.close(() => resolve()) : resolve()));
  llmServer = undefined;
});

function fileBytes(path: string): Buffer {
  return existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
}

describe('classification pipeline through the real collector', () => {
  it("canary: with text: 'send', intents are recorded and the raw texts are gone from the file and its WAL", async () => {
    collector = await startCollector();
    const chatmeter = createChatmeter({ writeKey: collector.writeKey, endpoint: collector.url, text: 'send' });
    const turn = chatmeter.trackPrompt({ text: `I want a refund for my order, email me at ${EMAIL}` });
    turn.response({ text: `Sure, we refunded card ${CARD}`, model: 'gpt-4o-mini' });
    chatmeter.trackPrompt({ text: `Please charge my card ${CARD} again, payment failed` });
    await chatmeter.flush();
    chatmeter.shutdown();

    const rows = await eventually(() => {
      const prompts = readEvents(collector!.dbPath, "event = 'ai_user_prompt_created'");
      expect(prompts).toHaveLength(2);
      expect(prompts.every((row) => row.intent !== null)).toBe(true);
      return readEvents(collector!.dbPath);
    });
    const [refund, response, payment] = rows;
    expect(refund!.intent).toBe('support_returns');
    expect(payment!.intent).toBe('billing_payment');
    expect(response!.intent).toBe('support_returns'); // copied from the prompt of the same turn

    // The worker checkpoints after erasing; wait until it has, then read the raw bytes.
    await eventually(() => {
      const bytes = Buffer.concat([fileBytes(collector!.dbPath), fileBytes(`${collector!.dbPath}-wal`)]);
      expect(bytes.includes(EMAIL)).toBe(false);
      expect(bytes.includes(CARD)).toBe(false);
      expect(bytes.includes('jane.roe')).toBe(false);
    });
    await collector.stop();
    const after = Buffer.concat([fileBytes(collector.dbPath), fileBytes(`${collector.dbPath}-wal`)]);
    expect(after.includes(EMAIL)).toBe(false);
    expect(after.includes(CARD)).toBe(false);
  });

  it('restart: prompts queued when the collector is killed are classified after it restarts', async () => {
    // An LLM endpoint that never answers in time keeps prompts queued.
    llmServer = createServer(() => undefined);
    await new Promise<void>((resolve) => llmServer!.listen(0, '127.0.0.1', resolve));
    const llmUrl = `http://127.0.0.1:${(llmServer.address() as AddressInfo).port}/v1`;
    collector = await startCollector({ args: ['--llm-url', llmUrl, '--llm-model', 'stalled'] });
    const chatmeter = createChatmeter({ writeKey: collector.writeKey, endpoint: collector.url, text: 'send' });
    for (const text of ['where is my package', 'reset my password please', 'how much is the pro plan']) chatmeter.trackPrompt({ text });
    await chatmeter.flush();
    chatmeter.shutdown();
    expect(readEvents(collector.dbPath, 'intent IS NULL')).toHaveLength(3);
    await collector.kill();

    collector = await startCollector({ dbPath: collector.dbPath }); // built-in classifier this time
    const classified = await eventually(() => {
      const prompts = readEvents(collector!.dbPath, "event = 'ai_user_prompt_created'");
      expect(prompts.every((row) => row.intent !== null)).toBe(true);
      return prompts;
    });
    expect(classified.map((row) => row.intent)).toEqual(['support_shipping', 'account_management', 'product_inquiry']);
  });

  it('refuses to start with an invalid taxonomy, naming the problem', async () => {
    await expect(startCollector({ args: ['--intents', '/nonexistent/taxonomy.json'] })).rejects.toThrow(/taxonomy/i);
  });
});
