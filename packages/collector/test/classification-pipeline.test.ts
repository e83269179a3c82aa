import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
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

function databaseAndWalBytes(dbPath: string): Buffer {
  return Buffer.concat([fileBytes(dbPath), fileBytes(`${dbPath}-wal`)]);
}

function queuedPromptCount(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS count FROM intent_queue').get() as { count: number }).count;
  } finally {
    db.close();
  }
}

/** A prompt as the SDK sends it with `text: 'classify'`: the text, marked as for classification only. */
function classifyModePrompt(text: string, timestamp = new Date().toISOString()) {
  return {
    type: 'track',
    event: 'ai_user_prompt_created',
    messageId: `m-${Math.random().toString(36).slice(2)}`,
    userId: 'u-classify',
    timestamp,
    properties: { conversation_id: 'c-classify', prompt_number: 1, prompt_text: text, text_mode: 'classify' },
  };
}

async function postBatch(url: string, writeKey: string, batch: unknown[]): Promise<number> {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
    body: JSON.stringify({ batch }),
  });
  await response.arrayBuffer();
  return response.status;
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

  it("canary: with text_mode 'classify' and the built-in classifier, the intent is set at ingest and the text never reaches the file, its WAL or the logs", async () => {
    collector = await startCollector({ args: ['--log-level', 'debug'] });
    const status = await postBatch(collector.url, collector.writeKey, [
      classifyModePrompt(`I want a refund for my order, email me at ${EMAIL}`),
    ]);
    expect(status).toBe(200);

    // No waiting: the intent is there when the batch is acknowledged, and nothing was queued.
    const [stored] = readEvents(collector.dbPath, "event = 'ai_user_prompt_created'");
    expect(stored!.intent).toBe('support_returns');
    expect(JSON.parse(stored!.properties)).toMatchObject({ prompt_length: 62, text_mode: 'classify' });
    expect(queuedPromptCount(collector.dbPath)).toBe(0);
    // Read before any checkpoint: the text was never written, not merely erased afterwards.
    const bytes = databaseAndWalBytes(collector.dbPath);
    expect(bytes.includes('jane.roe')).toBe(false);
    expect(bytes.includes('refund for my order')).toBe(false);

    await collector.stop();
    expect(databaseAndWalBytes(collector.dbPath).includes('jane.roe')).toBe(false);
    const logs = collector.logLines.join('\n');
    expect(logs).toContain('"level":20'); // debug lines were written
    expect(logs.includes('jane.roe')).toBe(false);
    expect(logs.includes('refund')).toBe(false);
  });

  it("with an LLM classifier, a text_mode 'classify' prompt waits in the queue, is classified, and its text is erased", async () => {
    const llmRequests: string[] = [];
    let replyTo: ServerResponse | undefined;
    llmServer = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        llmRequests.push(Buffer.concat(chunks).toString('utf8'));
        replyTo = response;
      });
    });
    await new Promise<void>((resolve) => llmServer!.listen(0, '127.0.0.1', resolve));
    const llmUrl = `http://127.0.0.1:${(llmServer.address() as AddressInfo).port}/v1`;
    collector = await startCollector({ args: ['--llm-url', llmUrl, '--llm-model', 'small', '--log-level', 'debug'] });
    await postBatch(collector.url, collector.writeKey, [classifyModePrompt(`I want a refund for my order, email me at ${EMAIL}`)]);

    // The worker has sent the text to the LLM and holds it in the queue until the answer comes.
    await eventually(() => expect(replyTo).toBeDefined());
    expect(llmRequests[0]).toContain(EMAIL);
    expect(queuedPromptCount(collector.dbPath)).toBe(1);
    expect(readEvents(collector.dbPath)[0]!.intent).toBeNull();
    replyTo!.writeHead(200, { 'content-type': 'application/json' });
    replyTo!.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'support_returns' } }], usage: { prompt_tokens: 300, completion_tokens: 2, total_tokens: 302 } }));

    await eventually(() => expect(readEvents(collector!.dbPath)[0]!.intent).toBe('support_returns'));
    await eventually(() => {
      expect(queuedPromptCount(collector!.dbPath)).toBe(0);
      expect(databaseAndWalBytes(collector!.dbPath).includes('jane.roe')).toBe(false);
    });
    await collector.stop();
    expect(collector.logLines.join('\n').includes('jane.roe')).toBe(false);
  });

  it('classifies every prompt with the built-in classifier, whatever --sample-rate says', async () => {
    collector = await startCollector({ args: ['--sample-rate', '0'] });
    // First seen 30 days ago, so not a new user the policy would always classify.
    const monthAgo = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000).toISOString();
    await postBatch(collector.url, collector.writeKey, [classifyModePrompt('where is my package, it has not arrived', monthAgo)]);
    const classified = await eventually(() => {
      const [prompt] = readEvents(collector!.dbPath);
      expect(prompt!.intent).not.toBeNull();
      return prompt!;
    });
    expect(classified.intent).toBe('support_shipping');
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
